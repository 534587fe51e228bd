#!/usr/bin/env bash
# Grants the Android app the camera, after `cargo tauri android init` has
# generated src-tauri/gen/android. The camera opens through the WebView's
# file input (`capture="environment"`): product and harvest photos, and the
# photo of an enrollment card that `decode_qr` reads in Rust. No plugin and
# no Google Play services are involved, so nothing else adds the permission.
# Idempotent: run it after every `android init`.
set -euo pipefail
cd "$(dirname "$0")/.."

MANIFEST=src-tauri/gen/android/app/src/main/AndroidManifest.xml
PERMISSION='<uses-permission android:name="android.permission.CAMERA" />'

if [ ! -f "$MANIFEST" ]; then
    echo "android-camera.sh: no $MANIFEST; run 'cargo tauri android init' first" >&2
    exit 1
fi
if grep -q 'android.permission.CAMERA' "$MANIFEST"; then
    echo "android-camera.sh: $MANIFEST already asks for the camera"
    exit 0
fi
# Before <application>, where Android reads uses-permission.
sed -i "s|<application|$PERMISSION\n    <application|" "$MANIFEST"
echo "android-camera.sh: added the CAMERA permission to $MANIFEST"
