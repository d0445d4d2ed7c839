import { useState } from 'react'
import { useData } from 'vike-react/useData'
import type { Data } from './+data'

export default function Page() {
  const { message } = useData<Data>()
  const [count, setCount] = useState(0)
  return (
    <>
      <h1>{message}</h1>
      <button type="button" onClick={() => setCount(count + 1)}>
        clicked {count}
      </button>
    </>
  )
}
