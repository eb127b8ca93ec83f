// The reason a file operation failed, in words: "no such file or directory", "is a directory", ...
// Node's own message ("EISDIR: illegal operation on a directory, read" or "ENOENT: ..., open 'x.tmp'")
// names the errno and sometimes a temporary path; messages for users give the path they named and this.

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  EISDIR: "is a directory",
  ENOTDIR: "a component of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
  EBUSY: "resource busy",
};

export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && ERRNO_TEXT[code]) return ERRNO_TEXT[code]!;
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split("\n")[0] ?? msg).replace(/^E[A-Z]+: /, "").replace(/, \w+ '[^']*'( -> '[^']*')?$/, "");
}
