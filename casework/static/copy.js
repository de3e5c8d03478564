// "Copy the link" beside a one-time link: shown only where this script runs, since copying needs
// it; the status beside the button tells screen reader users that it worked.
export function initCopyButtons (root) {
  root.querySelectorAll('[data-copy]').forEach((holder) => {
    const source = document.getElementById(holder.dataset.copy)
    const button = holder.querySelector('button')
    const status = holder.querySelector('[data-copy-status]')
    if (!source || !button || !navigator.clipboard) return
    holder.hidden = false
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim())
        status.textContent = 'Link copied'
      } catch (error) {
        status.textContent = 'Could not copy: select the link and copy it'
      }
    })
  })
}
