import { useState } from 'react'
import { createFileRoute } from '@tanstack/react-router'
import { createServerFn } from '@tanstack/react-start'
import { greet } from '../greeting'

const getMessage = createServerFn({ method: 'GET' }).handler(() => greet('start'))

export const Route = createFileRoute('/')({
  loader: async () => ({ message: await getMessage() }),
  component: Home,
})

function Home() {
  const { message } = Route.useLoaderData()
  const [count, setCount] = useState(0)
  return (
    <main>
      <h1>{message}</h1>
      <button type="button" onClick={() => setCount(count + 1)}>
        clicked {count}
      </button>
    </main>
  )
}
