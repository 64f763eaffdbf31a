// The harness's iOS probe: the app a provisioning request's `resulturlscheme` points at. It registers the
// schemes the vectors use (Info.plist: harnessprobe, myapp) and shows how many callbacks it received and
// the last callback URL, as two static texts the harness reads from the page source after activating it:
//   name="callbackCount" value="<n>"   name="lastCallbackUrl" value="<url>"
import SwiftUI

final class CallbackLog: ObservableObject {
    @Published var count = 0
    @Published var last = ""
}

@main
struct HarnessProbeApp: App {
    @StateObject private var log = CallbackLog()

    var body: some Scene {
        WindowGroup {
            VStack(alignment: .leading, spacing: 12) {
                Text("Harness probe").font(.headline)
                Text("\(log.count)")
                    .accessibilityIdentifier("callbackCount")
                    .accessibilityValue("\(log.count)")
                Text(log.last)
                    .accessibilityIdentifier("lastCallbackUrl")
                    .accessibilityValue(log.last)
            }
            .padding()
            .onOpenURL { url in
                // Every URL opened on one of our schemes is a callback: count it, keep the exact text.
                log.count += 1
                log.last = url.absoluteString
                NSLog("HarnessProbe received %@", url.absoluteString)
            }
        }
    }
}
