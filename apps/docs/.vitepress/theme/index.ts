import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import RegressionDemo from './components/RegressionDemo.vue';
import NamesGptDemo from './components/NamesGptDemo.vue';
import './custom.css';

/** The default theme plus the live demos (client-only: they import TensorFlow.js in onMounted). */
export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('RegressionDemo', RegressionDemo);
    app.component('NamesGptDemo', NamesGptDemo);
  },
} satisfies Theme;
