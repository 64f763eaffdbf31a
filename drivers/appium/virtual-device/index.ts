// Appium imports the package's main and instantiates `appium.mainClass` from it.
export { VirtualDeviceDriver } from './driver.ts';
