import type { Config } from 'vike/types'
import vikeReact from 'vike-react/config'

export default {
  title: 'vike',
  extends: [vikeReact],
} satisfies Config
