import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT || 3100);
const serverBin = process.env.PORTAL_SERVER_BIN;
if (!serverBin) throw new Error('PORTAL_SERVER_BIN must name the built server binary (scripts/test.sh sets it)');
const dataDir = process.env.E2E_DATA_DIR || '/tmp/portal-e2e';

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: [
    {
      command: 'node mail-sink.mjs',
      url: 'http://127.0.0.1:2526/health',
      reuseExistingServer: false,
      stdout: 'ignore',
    },
    {
      command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && ${serverBin}`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      cwd: '..',
      env: {
        DATA_DIR: dataDir,
        LEPTOS_OUTPUT_NAME: 'portal',
        LEPTOS_SITE_ROOT: 'target/site',
        LEPTOS_SITE_PKG_DIR: 'pkg',
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_ENV: 'PROD',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '2525',
        SMTP_TLS: 'false',
        RUST_LOG: 'info,sqlx=warn',
      },
    },
  ],
});
