/* Bundle shape: Object.defineProperty, nothing writable or configurable:
 * neither the window property nor the SDK's launch. */
(function () {
  const sdk = RecordhostStandin.create ();
  const launch = sdk.launch;
  delete sdk.launch;
  Object.defineProperty (sdk, 'launch', { value: launch, writable: false, configurable: false });
  Object.defineProperty (window, 'AgoraEduSDK', { value: sdk, writable: false,
                                                  configurable: false, enumerable: true });
}) ();
