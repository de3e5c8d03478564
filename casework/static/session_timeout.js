// Warns before the idle timeout, in a modal dialog like the GOV.UK timeout warning: "Stay signed
// in" renews the session with a small POST; "Sign out" submits the header's sign-out form. When
// the time is up the page goes to the sign-in page, where the server says why and what was lost.
// Without JavaScript none of this runs and the server's timeout applies on the next request.

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'

function spoken (seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return minutes === 1 ? '1 minute' : `${minutes} minutes`
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

export function initSessionTimeout (container) {
  if (!container) return
  const idle = Number(container.dataset.idleSeconds)
  const warn = Number(container.dataset.warnSeconds)
  if (!(idle > 0) || !(warn > 0)) return
  const dialog = container.querySelector('[role="dialog"]')
  const heading = container.querySelector('#session-timeout-heading')
  const countdown = container.querySelector('[data-countdown]')
  const announce = container.querySelector('[data-announce]')
  const stay = container.querySelector('[data-stay]')
  let deadline = 0
  let warnTimer = null
  let tick = null
  let returnFocus = null
  let lastSpoken = ''

  const others = () => Array.from(document.body.children).filter((el) => el !== container && el.tagName !== 'SCRIPT')

  function signedOut () {
    window.location.assign(container.dataset.signedOutUrl)
  }

  function update () {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
    if (left === 0) {
      // A second's margin: the server must see the session as idle when the browser arrives.
      clearInterval(tick)
      setTimeout(signedOut, 1500)
      return
    }
    const words = spoken(left)
    countdown.textContent = words
    // Screen readers hear the time at each minute and at 20 seconds, not every second.
    const due = left >= 60 ? words : left <= 20 ? spoken(20) : ''
    if (due && due !== lastSpoken) {
      lastSpoken = due
      announce.textContent = `We will sign you out in ${words}.`
    }
  }

  function open () {
    returnFocus = document.activeElement
    others().forEach((el) => el.setAttribute('inert', ''))
    container.hidden = false
    lastSpoken = ''
    update()
    tick = setInterval(update, 1000)
    heading.focus()
  }

  function close () {
    clearInterval(tick)
    container.hidden = true
    announce.textContent = ''
    others().forEach((el) => el.removeAttribute('inert'))
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
  }

  function start () {
    deadline = Date.now() + idle * 1000
    clearTimeout(warnTimer)
    warnTimer = setTimeout(open, (idle - warn) * 1000)
  }

  async function keepAlive () {
    try {
      const response = await fetch(container.dataset.keepAliveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { 'X-CSRFToken': container.dataset.csrfToken }
      })
      if (response.status !== 204) return signedOut()
    } catch (error) {
      return signedOut()
    }
    close()
    start()
  }

  stay.addEventListener('click', keepAlive)
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      keepAlive()
    } else if (event.key === 'Tab') {
      // Focus stays in the dialog: from the last control back to the first, and the reverse.
      const items = Array.from(dialog.querySelectorAll(FOCUSABLE))
      const first = items[0]
      const last = items[items.length - 1]
      if (event.shiftKey && (document.activeElement === first || document.activeElement === heading)) {
        event.preventDefault()
        last.focus()
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault()
        first.focus()
      }
    }
  })
  start()
}
