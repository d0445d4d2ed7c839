export function meta() {
  return [{ title: 'About' }]
}

export default function About() {
  return (
    <main>
      <h1>About</h1>
      <p>A minimal React Router app in framework mode.</p>
    </main>
  )
}
