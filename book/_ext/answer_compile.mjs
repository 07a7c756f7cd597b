// Byte-compile pure-Python wheels for Pyodide, at build time, with Pyodide itself in Node.
//
//   node answer_compile.mjs <pyodide folder> <in.whl> <out.whl> [<in.whl> <out.whl> ...]
//
// A wheel of sources makes the reader's browser compile every module it imports (sympy:
// about 12 s of the first check on a 2-core machine); Pyodide's own packages ship bytecode
// instead. The bytecode must be that of Pyodide's CPython, so it is compiled here by the
// same interpreter the browser runs. Each output wheel holds the .pyc files in place of
// the .py files, with a RECORD that lists them.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [folder, ...pairs] = process.argv.slice(2);
if (!folder || pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error("usage: node answer_compile.mjs <pyodide folder> <in.whl> <out.whl> ...");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(`${folder}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${folder}/` });

const compileWheel = pyodide.runPython(`
import base64, compileall, hashlib, os, shutil, warnings, zipfile


def compile_wheel(source, target):
    root = "/tmp/wheel"
    shutil.rmtree(root, ignore_errors=True)
    with zipfile.ZipFile(source) as archive:
        archive.extractall(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SyntaxWarning in modules never imported
        ok = compileall.compile_dir(root, quiet=2, legacy=True)
    if not ok:
        raise RuntimeError(f"{source}: a module does not compile")
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if not rel.endswith((".py", "/RECORD")):
                with open(path, "rb") as file:
                    entries[rel] = file.read()
    record = next(n for n in os.listdir(root) if n.endswith(".dist-info")) + "/RECORD"
    lines = []
    for name in sorted(entries):
        digest = base64.urlsafe_b64encode(hashlib.sha256(entries[name]).digest())
        lines.append(f"{name},sha256={digest.rstrip(b'=').decode()},{len(entries[name])}\\n")
    entries[record] = ("".join(lines) + f"{record},,\\n").encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])


compile_wheel
`);

for (let i = 0; i < pairs.length; i += 2) {
  pyodide.FS.writeFile("/tmp/in.whl", new Uint8Array(readFileSync(pairs[i])));
  compileWheel("/tmp/in.whl", "/tmp/out.whl");
  writeFileSync(pairs[i + 1], pyodide.FS.readFile("/tmp/out.whl"));
}
compileWheel.destroy();
