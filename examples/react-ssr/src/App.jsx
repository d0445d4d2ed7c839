import { useState } from 'react'

export default function App() {
  const [count, setCount] = useState(0)
  return (
    <>
      <h1>Hello from React</h1>
      <button type="button" onClick={() => setCount((c) => c + 1)}>
        count is {count}
      </button>
    </>
  )
}
