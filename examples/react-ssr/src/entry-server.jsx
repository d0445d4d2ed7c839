import { StrictMode } from 'react'
import { renderToPipeableStream } from 'react-dom/server'
import App from './App.jsx'

/** Streams the app: `options` are renderToPipeableStream's callbacks (onShellReady, onError, …). */
export function render(_url, options) {
  return renderToPipeableStream(
    <StrictMode>
      <App />
    </StrictMode>,
    options,
  )
}
