package org.provisioningharness.probe;

import android.app.Activity;
import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.Build;
import android.os.Bundle;
import android.util.Log;
import android.widget.TextView;

/**
 * Receives Open Mobile's provisioning results for the harness. The receiver is registered at run time:
 * since Android 8 a receiver declared in the manifest no longer gets this implicit broadcast. The harness
 * reads each result from logcat (getLogs('logcat')) as
 * "HarnessProbe: client_x.android.prov.result EXTRA_RESULT=<code>".
 */
public class ProbeActivity extends Activity {
    static final String ACTION = "client_x.android.prov.result";
    static final String TAG = "HarnessProbe";

    /** Held by the process, not the activity: results keep arriving while Open Mobile is in front. */
    private static BroadcastReceiver receiver;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        TextView view = new TextView(this);
        view.setText("Harness probe: listening for " + ACTION);
        setContentView(view);
        register(getApplicationContext());
    }

    private static synchronized void register(Context context) {
        if (receiver != null) return;
        receiver = new BroadcastReceiver() {
            @Override
            public void onReceive(Context c, Intent intent) {
                // -1 is what the spec's own sample reads when the extra is missing.
                int result = intent.getIntExtra("EXTRA_RESULT", -1);
                Log.i(TAG, ACTION + " EXTRA_RESULT=" + result);
            }
        };
        IntentFilter filter = new IntentFilter(ACTION);
        if (Build.VERSION.SDK_INT >= 33) {
            context.registerReceiver(receiver, filter, Context.RECEIVER_EXPORTED);
        } else {
            context.registerReceiver(receiver, filter);
        }
        Log.i(TAG, "registered for " + ACTION);
    }
}
