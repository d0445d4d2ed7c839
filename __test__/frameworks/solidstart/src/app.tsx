import { MetaProvider, Title } from '@solidjs/meta'
import { Router } from '@solidjs/router'
import { FileRoutes } from '@solidjs/start/router'
import { Suspense } from 'solid-js'
import { greet } from '~/lib/greeting'

export default function App() {
  return (
    <Router
      root={(props) => (
        <MetaProvider>
          <Title>SolidStart</Title>
          <nav>
            <a href="/">Home</a> <a href="/about">About</a>
          </nav>
          <Suspense>{props.children}</Suspense>
          <footer>{greet('solid')}</footer>
        </MetaProvider>
      )}
    >
      <FileRoutes />
    </Router>
  )
}
