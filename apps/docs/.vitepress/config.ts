import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

/** The API sidebar written by typedoc-vitepress-theme (`pnpm --filter docs api` makes it). */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
  if (!existsSync(file)) return [];
  const items = JSON.parse(readFileSync(file, 'utf8')) as DefaultTheme.SidebarItem[];
  return items.map((item) => ({ ...item, link: item.link?.replace(/\.md$/, '') }));
}

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Guides',
    items: [
      { text: 'Install and quick start', link: '/guide/getting-started' },
      { text: 'Backends', link: '/guide/backends' },
      { text: 'The Module contract', link: '/guide/modules' },
      { text: 'Training', link: '/guide/training' },
      { text: 'Checkpoints and PyTorch', link: '/guide/checkpoints' },
      { text: 'Masks and conventions', link: '/guide/masks' },
      { text: 'Errors', link: '/guide/errors' },
      { text: 'Performance', link: '/guide/performance' },
      { text: 'Contributing a model', link: '/guide/contributing' },
      { text: 'Live demos', link: '/demos' },
    ],
  },
];

const models: DefaultTheme.SidebarItem[] = [
  {
    text: 'Models',
    items: [
      { text: 'Overview', link: '/models/' },
      { text: 'SimpleCNN', link: '/models/simple-cnn' },
      { text: 'LeNet-5', link: '/models/lenet5' },
      { text: 'ResNet', link: '/models/resnet' },
      { text: 'MLP classifier', link: '/models/mlp' },
      { text: 'ResNet-18/34/50 (torchvision)', link: '/models/imagenet-resnet' },
      { text: 'MobileNetV2 (torchvision)', link: '/models/mobilenet-v2' },
      { text: 'DCGAN', link: '/models/dcgan' },
      { text: 'VAE', link: '/models/vae' },
      { text: 'GPT', link: '/models/gpt' },
      { text: 'Seq2Seq Transformer', link: '/models/seq2seq' },
      { text: 'Encoder and decoder layers', link: '/models/transformer-layers' },
      { text: 'Multi-head attention', link: '/models/multi-head-attention' },
    ],
  },
];

export default defineConfig({
  title: 'TensorZoo',
  description: 'A TypeScript model zoo on TensorFlow.js: train and run classic models on WebGPU, CUDA or CPU.',
  cleanUrls: true,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/logo.svg' }]],
  lastUpdated: false,
  // Dead links fail the build (VitePress's default; kept on purpose).
  ignoreDeadLinks: false,
  srcExclude: ['README.md', 'snippets/**', 'generated/**', 'test/**', 'scripts/**', 'screenshots/**'],
  markdown: { lineNumbers: false },
  themeConfig: {
    logo: '/logo.svg',
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Models', link: '/models/' },
      { text: 'API', link: '/api/' },
      { text: 'Demos', link: '/demos' },
    ],
    sidebar: {
      '/guide/': guide,
      '/demos': guide,
      '/models/': models,
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    socialLinks: [{ icon: 'github', link: 'https://github.com/tensorzoo/tensorzoo' }],
  },
  vite: {
    optimizeDeps: {
      include: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-webgl',
        '@tensorflow/tfjs-backend-webgpu',
        'uplot',
      ],
    },
  },
});
