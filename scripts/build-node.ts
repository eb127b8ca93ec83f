// `npm run build:node`: installs the pinned CometBFT into the user's cache (node/cometbft.ts) unless the
// right version is already there, and says where it is. The first `mote net` / `mote node` command does the same.
import { COMETBFT_VERSION, EngineError, ensureCometbft } from "../node/cometbft.ts";

try {
  const bin = await ensureCometbft({ log: (l) => process.stderr.write(`build:node: ${l}\n`) });
  process.stdout.write(`CometBFT ${COMETBFT_VERSION}: ${bin}\n`);
} catch (e) {
  if (e instanceof EngineError) {
    process.stderr.write(`build:node: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
