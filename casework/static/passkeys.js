// Passkeys: adding one on "How you sign in", and signing in with one. The forms work only with
// this script and a browser that knows passkeys, so they stay hidden otherwise and passwords and
// codes work as before. Each holder names where to ask for the options (a POST with the page's
// CSRF token, answered in JSON); the browser asks the device, and the device's answer goes back
// in the form's hidden "credential" field, posted like any form, so the server's page follows.

function toBytes (text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '==='.slice((base64.length + 3) % 4)
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0))
}

function toText (buffer) {
  let binary = ''
  new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte) })
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function withIds (descriptors) {
  return (descriptors || []).map((descriptor) => ({ ...descriptor, id: toBytes(descriptor.id) }))
}

function creationOptions (options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials)
  }
}

function requestOptions (options) {
  return { ...options, challenge: toBytes(options.challenge), allowCredentials: withIds(options.allowCredentials) }
}

// The device's answer as the JSON the server reads (WebAuthn's own JSON form of a credential).
function answerOf (credential) {
  const made = credential.response
  const response = { clientDataJSON: toText(made.clientDataJSON) }
  if (made.attestationObject) {
    response.attestationObject = toText(made.attestationObject)
    response.transports = made.getTransports ? made.getTransports() : []
  } else {
    response.authenticatorData = toText(made.authenticatorData)
    response.signature = toText(made.signature)
    if (made.userHandle) response.userHandle = toText(made.userHandle)
  }
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment || undefined
  }
}

const NOT_USED = 'The passkey was not used. Try again, or use another way to sign in.'
const NOT_MADE = 'No passkey was made. Try again, or add it from another device.'

// A button named "submit" hides form.submit: the form element's own method is called instead.
function send (form) {
  HTMLFormElement.prototype.submit.call(form)
}

function init (holder) {
  const form = holder.querySelector('form')
  const status = holder.querySelector('[data-passkey-status]')
  const creating = holder.dataset.passkey === 'create'
  holder.hidden = false
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    status.textContent = ''
    // Missing name or password: the server says what is missing, before any device is asked.
    const field = (name) => form.elements.namedItem(name)
    if (creating && (!field('name').value.trim() || !field('password').value)) return send(form)
    try {
      const answer = await fetch(holder.dataset.passkeyOptions, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': field('csrf_token').value, Accept: 'application/json' }
      })
      const options = await answer.json()
      if (!answer.ok) {
        status.textContent = options.message
        return
      }
      const credential = creating
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) })
      field('credential').value = JSON.stringify(answerOf(credential))
      send(form)
    } catch (error) {
      status.textContent = creating ? NOT_MADE : NOT_USED
    }
  })
}

export function initPasskeys (root) {
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return
  root.querySelectorAll('[data-passkey]').forEach(init)
}
