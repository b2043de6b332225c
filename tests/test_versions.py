"""Version awareness: the versions an admin runs, found in what they paste (each with file and
line), `--haraka-version`, rules with `versions:` ranges left out for other releases, and the
versions line of every report."""
from __future__ import annotations

import pytest

from app.core.diagnose import diagnose
from app.core.inputs import load_paste, load_texts
from app.core.inputs.blocks import detect_blocks
from app.core.versions import Found, Versions, detect_versions

PACKAGE_JSON = """{
  "name": "haraka-mx",
  "private": true,
  "dependencies": {
    "Haraka": "^3.0.3",
    "haraka-plugin-rspamd": "^1.6.1",
    "haraka-plugin-wildduck": "github:zone-eu/haraka-plugin-wildduck#v5.8.43"
  }
}
"""

LOCK_V3 = """{
  "name": "haraka-mx",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "dependencies": {
        "Haraka": "^3.0.3"
      }
    },
    "node_modules/Haraka": {
      "version": "3.0.5",
      "license": "MIT"
    },
    "node_modules/Haraka/node_modules/haraka-plugin-redis": {
      "version": "1.0.13"
    },
    "node_modules/haraka-plugin-limit": {
      "version": "1.2.4"
    }
  }
}
"""

LOCK_V1 = """{
  "name": "haraka-mx",
  "lockfileVersion": 1,
  "dependencies": {
    "Haraka": {
      "version": "2.8.28",
      "resolved": "https://registry.npmjs.org/Haraka/-/Haraka-2.8.28.tgz"
    }
  }
}
"""

DOCKERFILE = """FROM node:14-alpine
ARG HARAKA_VERSION=2.8.28
RUN apk add --no-cache python3 make g++ \\
    && npm install -g Haraka@${HARAKA_VERSION} \\
    && haraka -i /haraka
EXPOSE 25
CMD ["haraka", "-c", "/haraka"]
"""

NPM_LS = """haraka-mx@1.0.0 /opt/haraka
├── Haraka@2.8.28
├─┬ haraka-plugin-limit@1.0.2
│ └── haraka-utils@1.0.3
└── haraka-plugin-wildduck@5.8.43 (git+https://github.com/zone-eu/haraka-plugin-wildduck.git#c0ffee)
"""

COMPOSE = """services:
  haraka:
    image: instrumentisto/haraka:2.8.28
  wildduck:
    image: nodemailer/wildduck:v1.42.1
  mongo:
    image: mongo:7
"""


def finds(versions: Versions) -> set[tuple]:
    return {(f.package, f.version, f.file, f.line, f.source) for f in versions.found}


# --------------------------------------------------------------------------- one kind of input at a time

def test_haraka_start_up_line_in_a_log(tmp_path):
    log = tmp_path / "haraka.log"
    log.write_text("[INFO] [-] [core] something before\n2026-11-24T21:23:48.046Z Starting up Haraka version 2.8.28\n")
    d = diagnose(texts=[("config/plugins", "wildduck\n")], log_paths=[str(log)])
    best = d.versions.haraka
    assert (best.version, best.file, best.line, best.source) == ("2.8.28", str(log), 2, "log")
    assert d.versions.line().startswith(f"Versions: Haraka 2.8.28 (from {log}:2)")


def test_the_latest_start_up_names_the_version_running_now():
    log = ("Starting up Haraka version 2.8.28\n[NOTICE] [-] [core] Shutting down\n"
           "Starting up Haraka version 3.3.4/0a1b2c3\n")
    d = diagnose(texts=[("config/plugins", "wildduck\n")], log_text=log)
    assert (d.versions.haraka.version, d.versions.haraka.line) == ("3.3.4", 3)
    assert "pasted.log:1 says 2.8.28" in d.versions.line()


@pytest.mark.parametrize("text, version", [
    ("\x1b[32;40mHaraka.js\x1b[0m — Version: 3.3.4\n", "3.3.4"),   # the real output, colours and all
    ("Haraka.js — Version: 2.8.28\n", "2.8.28"),
    ("[32;40mHaraka.js[0m - Version: 3.0.5\n", "3.0.5"),               # escape character lost in the paste
])
def test_haraka_dash_v(text, version):
    v = detect_versions(load_texts([("haraka-v.txt", text)]))
    best = v.haraka
    assert (best.version, best.file, best.line, best.source) == (version, "haraka-v.txt", 1, "haraka -v")


@pytest.mark.parametrize("text, version, line", [
    ("Error: boom\n    at x (/opt/haraka/plugins/a.js:1:1)\n\nNode.js v20.11.1\n", "20.11.1", 4),
    ("$ node -v\nv18.19.0\n", "18.19.0", 2),
    ("{ npm: '10.2.4', node: '20.11.1', v8: '11.3' }\n", "20.11.1", 1),
])
def test_node_version_lines(text, version, line):
    v = detect_versions(load_texts([("notes.txt", text)]))
    assert (v.node.version, v.node.line) == (version, line)


def test_package_json_dependencies_are_ranges_and_git_tags():
    v = detect_versions(load_texts([("package.json", PACKAGE_JSON)]))
    assert finds(v) == {("haraka", "^3.0.3", "package.json", 5, "package.json"),
                        ("haraka-plugin-rspamd", "^1.6.1", "package.json", 6, "package.json"),
                        ("haraka-plugin-wildduck", "5.8.43", "package.json", 7, "package.json")}
    assert not v.haraka.exact
    assert "Haraka ^3.0.3 (a range, from package.json:5)" in v.line()


def test_an_installed_packages_own_package_json():
    text = '{\n  "name": "Haraka",\n  "version": "2.8.28",\n  "dependencies": {"haraka-plugin-limit": "^1.0.0"}\n}\n'
    v = detect_versions(load_texts([("node_modules/Haraka/package.json", text)]))
    assert (v.haraka.version, v.haraka.line, v.haraka.exact) == ("2.8.28", 3, True)


def test_package_lock_v3_gives_exact_top_level_versions():
    v = detect_versions(load_texts([("package-lock.json", LOCK_V3)]))
    assert finds(v) == {("haraka", "3.0.5", "package-lock.json", 12, "package-lock.json"),
                        ("haraka-plugin-limit", "1.2.4", "package-lock.json", 19, "package-lock.json")}


def test_package_lock_v1():
    v = detect_versions(load_texts([("package-lock.json", LOCK_V1)]))
    assert finds(v) == {("haraka", "2.8.28", "package-lock.json", 6, "package-lock.json")}


def test_npm_ls_tree():
    v = detect_versions(load_texts([("npm-ls.txt", NPM_LS)]))
    # a listing is filed under its canonical name, `npm ls` (app.core.inputs.classify.listing_name)
    assert finds(v) == {("haraka", "2.8.28", "npm ls", 2, "npm ls"),
                        ("haraka-plugin-limit", "1.0.2", "npm ls", 3, "npm ls"),
                        ("haraka-plugin-wildduck", "5.8.43", "npm ls", 5, "npm ls")}


def test_dockerfile_image_and_npm_install_with_build_args():
    v = detect_versions(load_texts([("Dockerfile", DOCKERFILE)]))
    assert finds(v) == {("node", "14.x", "Dockerfile", 1, "image"),
                        ("haraka", "2.8.28", "Dockerfile", 4, "npm install")}


@pytest.mark.parametrize("line, package, version", [
    ("FROM node:20.11.1-bookworm-slim AS build", "node", "20.11.1"),
    ("FROM --platform=linux/amd64 node:18", "node", "18.x"),
    ("FROM node:lts-alpine", None, None),
    ("RUN npm i -g haraka@3.0.3", "haraka", "3.0.3"),
    ("RUN npm install --omit=optional Haraka@^3.1 haraka-plugin-wildduck@6.0.1", "haraka", "^3.1"),
    ("RUN npm install -g Haraka", None, None),
])
def test_dockerfile_lines(line, package, version):
    v = detect_versions(load_texts([("Dockerfile", line + "\n")]))
    got = v.best(package) if package else None
    assert (got.version if got else None) == version and (bool(v.found) == bool(package))


def test_compose_image_tags():
    v = detect_versions(load_texts([("docker-compose.yml", COMPOSE)]))
    assert finds(v) == {("haraka", "2.8.28", "docker-compose.yml", 3, "image"),
                        ("wildduck", "1.42.1", "docker-compose.yml", 5, "image")}


def test_a_command_line_version_wins_and_is_said_so():
    v = detect_versions(load_texts([("npm-ls.txt", NPM_LS)]), haraka_version="3.1.x")
    assert v.haraka.version == "3.1.x" and v.haraka.source == "cli"
    assert v.line().startswith("Versions: Haraka 3.1.x (a range, given with --haraka-version; "
                               "npm ls:2 says 2.8.28)")


def test_other_versions_without_haraka_still_say_what_is_assumed():
    v = detect_versions(load_texts([("Dockerfile", "FROM node:20.11.1\n")]))
    assert v.line() == "Versions: node 20.11.1 (from Dockerfile:1); Haraka version unknown — rules assume 3.3.4; " \
                       "pass --haraka-version"


def test_nothing_known_says_what_is_assumed():
    v = detect_versions(load_texts([("config/plugins", "wildduck\n")]))
    assert v.line() == "Versions: Haraka version unknown — rules assume 3.3.4; pass --haraka-version"
    assert v.to_dict()["packages"] == {}


def test_installed_beats_asked_for_and_runtime_beats_installed():
    v = Versions(found=[Found("haraka", "^3.0.3", "package.json", 5, "package.json"),
                        Found("haraka", "3.0.5", "package-lock.json", 12, "package-lock.json")])
    assert v.haraka.version == "3.0.5" and v.disagreeing("haraka") is None
    v.found.append(Found("haraka", "3.1.0", "haraka.log", 1, "log"))
    assert v.haraka.version == "3.1.0" and v.disagreeing("haraka").version == "3.0.5"


# --------------------------------------------------------------------------- a headerless paste

def test_a_headerless_paste_names_package_json_dockerfile_npm_ls_and_lockfile():
    paste = "\n".join([PACKAGE_JSON, DOCKERFILE, NPM_LS, LOCK_V1, COMPOSE, "Haraka.js — Version: 2.8.28"])
    blocks = detect_blocks(paste.split("\n"))
    assert [(b.name, b.kind) for b in blocks] == [
        ("package.json", "json"), ("Dockerfile", "context"), ("npm-ls.txt", "context"),
        ("package-lock.json", "json"), ("docker-compose.yml", "yaml"), ("pasted.txt", "context")]
    assert all(b.reason for b in blocks)
    cs = load_paste(paste)
    assert cs.files["package.json"].parsed["dependencies"]["Haraka"] == "^3.0.3"
    v = detect_versions(cs)
    assert {(f.file, f.line) for f in v.found if f.package == "haraka"} == {
        ("package.json", 5), ("Dockerfile", 4), ("npm ls", 2), ("package-lock.json", 6),
        ("docker-compose.yml", 3), ("pasted.txt", 1)}


def test_blank_lines_inside_json_and_dockerfiles_keep_them_whole():
    text = '{\n  "name": "x",\n\n  "dependencies": {\n\n    "Haraka": "2.8.28"\n  }\n}\n\nFROM node:14\n\nRUN npm i\n'
    blocks = detect_blocks(text.split("\n"))
    assert [(b.name, b.start, b.end) for b in blocks] == [("package.json", 1, 8), ("Dockerfile", 10, 12)]


def test_a_haraka_dir_on_disk(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plugins").write_text("wildduck\n")
    (tmp_path / "package.json").write_text(PACKAGE_JSON)
    (tmp_path / "package-lock.json").write_text(LOCK_V3)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    d = diagnose([str(tmp_path)])
    assert d.configset.files["Dockerfile"].kind == "context"
    assert (d.versions.haraka.version, d.versions.haraka.where) == ("3.0.5", "package-lock.json:12")
    line = d.versions.line()
    assert "Dockerfile:4 says 2.8.28" in line and "node 14.x (a range, from Dockerfile:1)" in line
