export function footer(ssr: boolean, mode: string): string {
  return `<footer>rendered on the server: ${ssr} (mode ${mode})</footer>`
}
