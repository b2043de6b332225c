#!/usr/bin/env node
'use strict'
// Ask a real Haraka which hooks each plugin registers.
//
// Why this exists: the order plugins run in is decided by Haraka's own loader (plugins.js), and a
// plugin's register() may register hooks conditionally. Reading the sources by eye drifts; loading
// every plugin with the real loader does not.
//
// Usage:
//   node harvest.js --haraka <Haraka package dir> [--instance <install dir>] [--jobs N]
//                   [--settle-ms N] [--timeout-ms N] [--stdin] [name ...]
//
// With --stdin, a JSON list of jobs {"name": ..., "instance": dir or null} is read from stdin
// (so one run can also load a plugin under several probe configs); results keep the job order.
//
// Every plugin is loaded in a child process of its own (so one plugin's side effects, hangs or
// crashes cannot change what another registers), with env HARAKA pointing at the install dir, the
// way `haraka -c DIR` runs. Without --instance an empty install dir is used: default config.
// Prints one JSON document on stdout.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')

const MARK = '@@MXDOCTOR_HARVEST@@ '

function parseArgs(argv) {
    const opts = { names: [], jobs: Math.min(8, 2 * (os.cpus().length || 1)), settleMs: 100, timeoutMs: 20000 }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const next = () => argv[++i]
        if (a === '--haraka') opts.haraka = path.resolve(next())
        else if (a === '--instance') opts.instance = path.resolve(next())
        else if (a === '--jobs') opts.jobs = Math.max(1, parseInt(next(), 10) || 1)
        else if (a === '--settle-ms') opts.settleMs = parseInt(next(), 10) || 0
        else if (a === '--timeout-ms') opts.timeoutMs = parseInt(next(), 10) || 20000
        else if (a === '--child') opts.child = next()
        else if (a === '--stdin') opts.stdin = true
        else opts.names.push(a)
    }
    if (!opts.haraka) throw new Error('--haraka <dir of the Haraka npm package> is required')
    return opts
}

function errorText(err) {
    if (err === undefined || err === null) return String(err)
    if (typeof err === 'string') return err
    // errors thrown inside Haraka's vm sandbox come from another realm: not `instanceof Error`
    if (typeof err === 'object' && typeof err.message === 'string') return `${err.name || 'Error'}: ${err.message}`
    try {
        return JSON.stringify(err)
    } catch (ignore) {
        return String(err)
    }
}

function readPackage(dir) {
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
        return { name: pkg.name || null, version: pkg.version || null }
    } catch (ignore) {
        return null
    }
}

// Which npm package a loaded plugin came from: its own package.json for package plugins, Haraka for
// plain files shipped in Haraka's plugins/ dir, nothing for a plain file in the install dir.
function packageOf(pluginPath, hasPackageJson, harakaDir) {
    if (!pluginPath) return { name: null, version: null, location: null }
    if (hasPackageJson) {
        const pkg = readPackage(path.dirname(pluginPath)) || { name: null, version: null }
        return { ...pkg, location: 'package' }
    }
    const rel = path.relative(harakaDir, pluginPath)
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
        const pkg = readPackage(harakaDir) || { name: 'Haraka', version: null }
        return { ...pkg, location: 'core' }
    }
    return { name: null, version: null, location: 'instance' }
}

// ----------------------------------------------------------------------------- child: one plugin

function locate(plugins, name) {
    let resolved = name.startsWith('haraka-plugin-') ? name.slice(14) : name
    resolved = plugins.deprecated[resolved] || resolved
    try {
        return new plugins.Plugin(resolved)
    } catch (ignore) {
        return null
    }
}

function harvestOne(opts) {
    const name = opts.child
    const plugins = require(path.join(opts.haraka, 'plugins'))
    const logger = require(path.join(opts.haraka, 'logger'))
    const messages = []
    // Keep stdout for our JSON; remember what Haraka would have logged at WARN and above.
    logger.log = (level, data) => {
        if (['WARN', 'ERROR', 'CRIT', 'ALERT', 'EMERG'].includes(level)) messages.push(`${level} ${data}`)
        return true
    }

    const result = {
        name,
        loaded_as: null,
        loaded: false,
        error: null,
        package: null,
        version: null,
        location: null,
        path: null,
        hooks: [],
        late_hooks: [],
        messages,
    }

    const snapshot = () => {
        const regs = []
        for (const [hook, items] of Object.entries(plugins.registered_hooks)) {
            for (const item of items) regs.push({ hook, method: item.method, priority: item.priority, order: item.order })
        }
        regs.sort((a, b) => a.order - b.order)
        return regs
    }

    // A plugin's background work (DNS checks, connections) must not kill the harvest.
    process.on('uncaughtException', (err) => {
        messages.push(`uncaught ${errorText(err)}`)
    })
    process.on('unhandledRejection', (err) => {
        messages.push(`unhandled rejection ${errorText(err)}`)
    })

    // Same path as `haraka -o`: load_plugins() strips the prefix, rewrites deprecated names,
    // loads and registers, then sorts each hook.
    try {
        plugins.load_plugins([name])
    } catch (err) {
        result.error = errorText(err)
    }
    const loadedName = Object.keys(plugins.registered_plugins)[0] || null
    const plugin = loadedName ? plugins.registered_plugins[loadedName] : null
    result.loaded_as = loadedName
    // A plugin that failed to compile or register is not in registered_plugins; locating it
    // again (constructor only: no code runs) still tells where it lives.
    const located = plugin || locate(plugins, name)
    if (located?.plugin_path) {
        const pkg = packageOf(located.plugin_path, located.hasPackageJson, opts.haraka)
        result.package = pkg.name
        result.version = pkg.version
        result.location = pkg.location
        result.path = located.plugin_path
    }
    result.loaded = !!plugin && !result.error
    const atLoad = snapshot()
    result.hooks = atLoad.map(({ hook, method, priority }) => ({ hook, method, priority }))

    const finish = () => {
        const seen = new Set(atLoad.map((r) => r.order))
        result.late_hooks = snapshot()
            .filter((r) => !seen.has(r.order))
            .map(({ hook, method, priority }) => ({ hook, method, priority }))
        process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`, () => process.exit(0))
    }
    // register() may be async: anything registered after load_plugins() returned was not sorted
    // by Haraka and is invisible to `haraka -o`. Give it a moment, then report it separately.
    setTimeout(finish, opts.settleMs)
}

// ----------------------------------------------------------------------------- parent: all plugins

function runChild(opts, instance, name) {
    return new Promise((resolve) => {
        const args = [__filename, '--child', name, '--haraka', opts.haraka, '--settle-ms', String(opts.settleMs)]
        const env = { ...process.env, HARAKA: instance }
        // bin/haraka adds the install dir's node_modules to the module search path
        const localModules = path.join(instance, 'node_modules')
        env.NODE_PATH = env.NODE_PATH ? `${env.NODE_PATH}${path.delimiter}${localModules}` : localModules
        delete env.HARAKA_TEST_DIR
        const child = spawn(process.execPath, args, { env, cwd: instance, stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        let err = ''
        child.stdout.on('data', (d) => (out += d))
        child.stderr.on('data', (d) => (err += d))
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
        child.on('close', (code, signal) => {
            clearTimeout(timer)
            const line = out.split('\n').find((l) => l.startsWith(MARK))
            if (line) return resolve(JSON.parse(line.slice(MARK.length)))
            resolve({
                name,
                loaded: false,
                error: signal ? `harvest killed by ${signal} (timeout ${opts.timeoutMs} ms)` : `harvest exited ${code}`,
                hooks: [],
                late_hooks: [],
                messages: err.trim().split('\n').slice(-5),
            })
        })
    })
}

async function harvestAll(opts) {
    const defaultInstance = opts.instance || fs.mkdtempSync(path.join(os.tmpdir(), 'mxdoctor-harvest-'))
    if (!opts.instance) fs.mkdirSync(path.join(defaultInstance, 'config'))
    const jobs = opts.names.map((name) => ({ name, instance: null }))
    if (opts.stdin) jobs.push(...JSON.parse(fs.readFileSync(0, 'utf8')))
    const plugins = require(path.join(opts.haraka, 'plugins'))
    const results = new Array(jobs.length)
    let next = 0
    const worker = async () => {
        while (next < jobs.length) {
            const i = next++
            results[i] = await runChild(opts, jobs[i].instance || defaultInstance, jobs[i].name)
        }
    }
    await Promise.all(Array.from({ length: Math.min(opts.jobs, jobs.length || 1) }, worker))
    if (!opts.instance) fs.rmSync(defaultInstance, { recursive: true, force: true })
    const haraka = readPackage(opts.haraka) || {}
    const doc = { haraka_version: haraka.version || null, deprecated: { ...plugins.deprecated }, plugins: results }
    process.stdout.write(`${JSON.stringify(doc)}\n`, () => process.exit(0))
}

const opts = parseArgs(process.argv.slice(2))
if (opts.child) harvestOne(opts)
else
    harvestAll(opts).catch((err) => {
        console.error(errorText(err))
        process.exit(1)
    })
