import { Link, useLoaderData } from 'react-router'
import { greet } from '../greeting'

export function meta() {
  return [{ title: 'Home' }]
}

export function loader() {
  return { visitors: 3 }
}

export default function Home() {
  const { visitors } = useLoaderData<typeof loader>()
  return (
    <main>
      <h1>{greet('router')}</h1>
      <p>{visitors} visitors</p>
      <Link to="/about">About</Link>
    </main>
  )
}
