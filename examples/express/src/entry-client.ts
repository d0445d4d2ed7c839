import { counterLabel } from './counter.ts'

// The server rendered the button; the client makes it count.
const button = document.querySelector<HTMLButtonElement>('#counter')!
let count = 0
button.addEventListener('click', () => {
  count += 1
  button.textContent = counterLabel(count)
})
