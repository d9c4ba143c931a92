import { unwatchFile, watchFile } from "node:fs";
import type { Logger } from "../shared/logger.ts";
import { compilePolicy, type CompiledPolicy } from "./compliance/engine.ts";
import { DEFAULT_POLICY_PATH, loadPolicy } from "./compliance/policy-schema.ts";
import type { Scorers } from "./assess.ts";
import { loadZhModel } from "./emotion/zh-model.ts";

/**
 * Loads the Chinese model and the team's policy (POLICY_FILE, or the shipped default) once,
 * and reloads the policy when its file changes. A broken edit is logged and ignored: the last
 * good policy stays in force, so a typo never stops scoring.
 */
export function loadScorers(policyFile: string | undefined, log: Logger): Scorers & { close(): void; reload(): boolean } {
  const path = policyFile ?? DEFAULT_POLICY_PATH;
  let current: CompiledPolicy = compilePolicy(loadPolicy(path));
  const reload = () => {
    try {
      current = compilePolicy(loadPolicy(path));
      log.info("policy reloaded", { path, rules: current.rules.length });
      return true;
    } catch (e) {
      log.error("policy reload failed; keeping the previous policy", { path, error: (e as Error).message });
      return false;
    }
  };
  watchFile(path, { interval: 2000, persistent: false }, (cur, prev) => {
    if (cur.mtimeMs !== prev.mtimeMs) reload();
  });
  return {
    policy: () => current,
    zhModel: loadZhModel(),
    reload,
    close: () => unwatchFile(path),
  };
}
