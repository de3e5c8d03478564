// "Earlier recommendations like this one" while a finding or recommendation is typed: a pause in
// typing asks the server for the list (an HTML fragment it escaped) and shows it under the text.
// Without this script the plan shows the same list after the save.
export function initResemblances (root) {
  root.querySelectorAll('form[data-resemblances]').forEach((form) => {
    const text = form.querySelector('textarea')
    const list = form.querySelector('[data-resemblances-list]')
    if (!text || !list) return
    let timer = null
    let asked = ''
    const ask = async () => {
      const wording = text.value.trim()
      if (wording.length < 20 || wording === asked) return
      asked = wording
      const query = new URLSearchParams({ text: wording })
      form.querySelectorAll('input[name="themes"]:checked').forEach((box) => query.append('themes', box.value))
      try {
        const answer = await fetch(`${form.dataset.resemblances}?${query}`, { credentials: 'same-origin' })
        if (!answer.ok) return
        list.innerHTML = '<h3 class="govuk-heading-s">Earlier recommendations like this one</h3>' + await answer.text()
        list.hidden = false
      } catch (error) {
        list.hidden = true
      }
    }
    text.addEventListener('input', () => {
      clearTimeout(timer)
      timer = setTimeout(ask, 800)
    })
  })
}
