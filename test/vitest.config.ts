import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 45_000,
    hookTimeout: 30_000,
    // Integration files each open their own database; two workers suit the 2-core machines.
    maxWorkers: 2,
  },
});
