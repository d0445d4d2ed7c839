import type { ReactNode } from 'react'

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <>
      <nav>
        <a href="/">home</a> <a href="/about">about</a>
      </nav>
      {children}
    </>
  )
}
