// The language server as the extension ships it: lsp/server.ts on stdin and stdout, bundled into one file.
import { runStdioServer } from "../../../lsp/server.ts";

runStdioServer();
