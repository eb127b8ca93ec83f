// A trivial ABCI application served by the Mote node's own socket server (node/abci-server.ts): every
// request answered at once, with the shapes the Mote application answers with (CheckTx ok with a gas
// wanted, PrepareProposal passes the engine's transactions through within max_tx_bytes, ProcessProposal
// accepts, FinalizeBlock one ok result per transaction and a fixed app hash). bench:net runs it as the
// "null-socket" setup: with the application's work taken away, what is left of Mote's figures is the
// transport (our server against abci-cli's kvstore over the same socket). Usage: abci-null.ts --port P.
import { Request, Response, ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { listenAbci } from "../node/abci-server.ts";

/** The answer to every request, at once. Exported for the test that drives it over a socket. */
export function nullAnswer(req: Request): Response {
  if (req.flush) return Response.fromPartial({ flush: {} });
  if (req.echo) return Response.fromPartial({ echo: { message: req.echo.message } });
  if (req.info) return Response.fromPartial({ info: { data: "null", version: "null", appVersion: 1n, lastBlockHeight: height, lastBlockAppHash: height === 0n ? new Uint8Array(0) : APP_HASH } });
  if (req.initChain) return Response.fromPartial({ initChain: {} });
  if (req.checkTx) return Response.fromPartial({ checkTx: { code: 0, log: "", codespace: "", gasWanted: 1n } });
  if (req.query) return Response.fromPartial({ query: { code: 0, height } });
  if (req.prepareProposal) {
    const out: Uint8Array[] = [];
    let bytes = 0n;
    for (const tx of req.prepareProposal.txs) {
      bytes += BigInt(tx.length);
      if (bytes > req.prepareProposal.maxTxBytes) break;
      out.push(tx);
    }
    return Response.fromPartial({ prepareProposal: { txs: out } });
  }
  if (req.processProposal) return Response.fromPartial({ processProposal: { status: ResponseProcessProposal_ProposalStatus.ACCEPT } });
  if (req.finalizeBlock) {
    height = req.finalizeBlock.height;
    return Response.fromPartial({ finalizeBlock: { txResults: req.finalizeBlock.txs.map(() => ({ code: 0, gasUsed: 1n, gasWanted: 1n, info: "ok" })), appHash: APP_HASH } });
  }
  if (req.commit) return Response.fromPartial({ commit: { retainHeight: 0n } });
  if (req.extendVote) return Response.fromPartial({ extendVote: { voteExtension: new Uint8Array(0) } });
  if (req.verifyVoteExtension) return Response.fromPartial({ verifyVoteExtension: { status: 1 } });
  if (req.listSnapshots) return Response.fromPartial({ listSnapshots: { snapshots: [] } });
  if (req.offerSnapshot) return Response.fromPartial({ offerSnapshot: { result: 1 } });
  if (req.loadSnapshotChunk) return Response.fromPartial({ loadSnapshotChunk: { chunk: new Uint8Array(0) } });
  if (req.applySnapshotChunk) return Response.fromPartial({ applySnapshotChunk: { result: 1 } });
  return Response.fromPartial({ exception: { error: "unknown ABCI request" } });
}

const APP_HASH = new Uint8Array(32);
let height = 0n;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const i = process.argv.indexOf("--port");
  const port = Number(process.argv[i + 1]);
  if (i < 0 || !Number.isInteger(port)) throw new Error("abci-null.ts --port P");
  const trace = process.env.MOTE_ABCI_TRACE === "1" ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  await listenAbci(nullAnswer, { port, trace });
}
