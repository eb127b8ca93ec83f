// The few VS Code API declarations the extension uses (the real module is supplied by VS Code at run
// time; @types/vscode is not a dependency of this repository).
declare module "vscode" {
  export interface Disposable {
    dispose(): unknown;
  }
  export interface ExtensionContext {
    subscriptions: Disposable[];
    asAbsolutePath(relativePath: string): string;
  }
  export interface WorkspaceConfiguration {
    get<T>(section: string): T | undefined;
  }
  export interface FileSystemWatcher extends Disposable {}
  export const workspace: {
    getConfiguration(section?: string): WorkspaceConfiguration;
    createFileSystemWatcher(globPattern: string): FileSystemWatcher;
  };
}
