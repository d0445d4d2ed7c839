import { Title } from '@solidjs/meta'
import { createSignal } from 'solid-js'

export default function Home() {
  const [count, setCount] = createSignal(0)
  return (
    <main>
      <Title>Home</Title>
      <h1>Home</h1>
      <button type="button" onClick={() => setCount(count() + 1)}>
        Clicked {count()} times
      </button>
    </main>
  )
}
