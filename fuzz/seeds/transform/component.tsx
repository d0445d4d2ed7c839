Cimport { useState } from 'react'
import type { FC } from 'react'
/** @jsxImportSource react */
export const App: FC<{ items: string[] }> = ({ items }) => {
  const [n, setN] = useState<number>(0)
  return <div className="app" onClick={() => setN(n + 1)}>
    <>{items.map((item) => <Item key={item} {...{ item }} />)}</>
    <svg:path d="M0" />&amp; {n > 1 ? <b>many</b> : null}
  </div>
}
