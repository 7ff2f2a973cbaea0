import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/redis.ts", "test/setup/chromium.ts"],
    env: { TZ: "Asia/Shanghai" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
