// Security keys and passkeys for two-step login (app/src/webauthn.rs): the
// browser's side of the WebAuthn ceremonies. The server's options and the
// key's answer travel as JSON (WebAuthn Level 3's parse…FromJSON and toJSON),
// so no binary juggling happens here. Errors are said for a person.
function said(e, registering) {
    switch (e && e.name) {
        case 'NotAllowedError':
            return 'The security key did not answer: it was cancelled or timed out. Try again, and touch the key when it blinks.';
        case 'InvalidStateError':
            return registering ? 'This security key is already registered to your account.' : 'This security key is not registered to your account.';
        case 'SecurityError':
            return 'The browser refused to use a security key for this address. The portal must be opened at its own address (PUBLIC_URL), over HTTPS or on localhost.';
        case 'NotSupportedError':
            return 'This security key cannot be used here (it supports none of the signature types the portal takes).';
        default:
            return (e && e.message) || String(e);
    }
}
function usable() {
    const pkc = globalThis.PublicKeyCredential;
    if (!pkc || !navigator.credentials || typeof pkc.parseCreationOptionsFromJSON !== 'function') {
        throw new Error('This browser cannot use security keys here: use a current Chrome, Edge, Firefox or Safari.');
    }
    return pkc;
}
export async function create_credential(options) {
    const pkc = usable();
    try {
        const credential = await navigator.credentials.create({ publicKey: pkc.parseCreationOptionsFromJSON(JSON.parse(options)) });
        return JSON.stringify(credential.toJSON());
    } catch (e) {
        throw new Error(said(e, true));
    }
}
export async function get_credential(options) {
    const pkc = usable();
    try {
        const credential = await navigator.credentials.get({ publicKey: pkc.parseRequestOptionsFromJSON(JSON.parse(options)) });
        return JSON.stringify(credential.toJSON());
    } catch (e) {
        throw new Error(said(e, false));
    }
}
