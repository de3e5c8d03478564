import { initAll } from './govuk/govuk-frontend.min.js'
import { initCopyButtons } from './copy.js'
import { initPasskeys } from './passkeys.js'
import { initResemblances } from './resemblances.js'
import { initSessionTimeout } from './session_timeout.js'

initAll()
initSessionTimeout(document.getElementById('session-timeout'))
initCopyButtons(document)
initResemblances(document)
initPasskeys(document)
