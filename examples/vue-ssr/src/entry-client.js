import { createApp } from './main.js'

createApp().mount('#app')
