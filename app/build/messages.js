#!/usr/bin/env node
'use strict'
// List every message a package can print to Haraka's log or send to an SMTP client.
//
// Why this exists: a pasted log line is only explained when we know which code printed it, at
// which hook, and what that code reads from config. Guessing from the text drifts; reading the
// package's own JavaScript with a real parser (acorn) does not.
//
// Usage:  node messages.js --acorn <dir holding node_modules/acorn{,-walk}> [--style npmlog] <package dir> [...]
// Prints one JSON document: {"<package dir>": [message, ...], ...}. A message is
//   {kind: log|reply|throw|api, level?, code?, template, file, line, function, hooks, config: {files, keys}}
// where a template keeps the literal text and writes every computed part as {}.
// --style npmlog reads the shapes of WildDuck and ZoneMTA instead of Haraka's (messages_npmlog.js):
// npmlog calls (with their prefix), pino-like logger calls, loggelf records and API error replies.

const fs = require('node:fs')
const path = require('node:path')
const { parse: parseJs } = require('./jsparse.js')

// plain lookup tables: `LEVELS[name]` must never find Object.prototype's toString, valueOf, ...
const table = (entries) => Object.assign(Object.create(null), entries)
const LEVELS = table({
    logdebug: 'DEBUG', logprotocol: 'PROTOCOL', loginfo: 'INFO', lognotice: 'NOTICE', logwarn: 'WARN',
    logerror: 'ERROR', logcrit: 'CRIT', logalert: 'ALERT', logemerg: 'EMERG', logdata: 'DATA',
})
const LEVEL_WORDS = new Set(Object.values(LEVELS))
// Haraka's logger also answers to short names (log.error(...), logger.warn(...))
const SHORT_LEVELS = table({ debug: 'DEBUG', protocol: 'PROTOCOL', info: 'INFO', notice: 'NOTICE', warn: 'WARN',
    error: 'ERROR', crit: 'CRIT', alert: 'ALERT', emerg: 'EMERG' })
const LOGGER_NAMES = /^(log|logger|this\.logger|plugin\.logger)$/
const CODES = new Set(['OK', 'DENY', 'DENYSOFT', 'DENYDISCONNECT', 'DENYSOFTDISCONNECT', 'DISCONNECT',
    'STOP', 'HOOK_TIMEOUT'])
const NEXT_NAMES = new Set(['next', 'cb', 'callback', 'done', 'nextOnce', 'next_once', 'orig_next', 'call_next'])
// arguments that only tell the logger who is speaking (Haraka reads them as context, not text)
const CONTEXT_NAMES = new Set(['connection', 'conn', 'plugin', 'self', 'txn', 'transaction', 'server', 'hmail',
    'outbound', 'client', 'smtp_client', 'pool', 'logger', 'socket', 'ctx', 'plug', 'p', 'c', 'cxn', 'that'])
// cfg.x.length, cfg.list.map(...): the language's own members, not config keys
const JS_MEMBERS = /\.(length|map|forEach|push|join|includes|split|filter|indexOf|keys|values|find|some|every|trim|toLowerCase|toUpperCase|replace|slice|concat|sort|reduce|test|match)$/
const SKIP_DIRS = new Set(['node_modules', 'test', 'tests', '.github', 'docs', 'coverage', 'contrib', 'bin'])
// what WildDuck and ZoneMTA ship besides their server code: examples, setup scripts, web assets
const NPMLOG_SKIP_DIRS = new Set(['examples', 'setup', 'public', 'assets', 'emails', 'graphics', 'certs'])
const NPMLOG_SKIP_FILES = new Set(['Gruntfile.js'])

function parseArgs(argv) {
    const opts = { dirs: [], style: 'haraka' }
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--acorn') opts.acorn = argv[++i]
        else if (argv[i] === '--style') opts.style = argv[++i]
        else opts.dirs.push(argv[i])
    }
    if (!opts.acorn) throw new Error('--acorn <dir with node_modules/acorn> is required')
    return opts
}

function jsFiles(root, style) {
    const out = []
    const npmlog = style === 'npmlog'
    const walk = (dir) => {
        for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
            if (ent.isDirectory()) {
                const skip = SKIP_DIRS.has(ent.name) || (npmlog && NPMLOG_SKIP_DIRS.has(ent.name))
                if (!skip && !ent.name.startsWith('.')) walk(path.join(dir, ent.name))
            } else if (npmlog && NPMLOG_SKIP_FILES.has(ent.name)) {
                continue
            } else if (/\.(c|m)?js$/.test(ent.name) && !/\.min\.js$/.test(ent.name)) {
                out.push(path.join(dir, ent.name))
            }
        }
    }
    walk(root)
    return out.sort()
}


// ------------------------------------------------------------------ templates

function memberName(node) {
    if (!node) return ''
    if (node.type === 'Identifier') return node.name
    if (node.type === 'ThisExpression') return 'this'
    if (node.type === 'MemberExpression' && !node.computed) return `${memberName(node.object)}.${node.property.name}`
    return ''
}

function isStringish(node) {
    node = resolved(node)
    if (!node) return false
    if (node.type === 'Literal') return typeof node.value === 'string'
    if (node.type === 'TemplateLiteral') return true
    if (node.type === 'BinaryExpression' && node.operator === '+') return isStringish(node.left) || isStringish(node.right)
    if (node.type === 'CallExpression') return /(^|\.)format$/.test(memberName(node.callee)) && isStringish(node.arguments[0])
    if (node.type === 'ConditionalExpression') return isStringish(node.consequent) && isStringish(node.alternate)
    return false
}

function formatTemplate(node) {
    const fmt = template(node.arguments[0])
    return fmt.replace(/%[sdifjoO%]/g, (m) => (m === '%%' ? '%' : '{}'))
}

// per file: names declared once with a value (const msg = `...`), to read `next(DENY, msg)` and
// `next(code, msg)` through them (set by fileMessages before the file is walked)
let CONSTS = Object.create(null)
// and per function (the call being read sits in SCOPES' functions, innermost first): a name given a
// value once in its function is known there even when other functions reuse the name (`const msg`)
let LOCALS = new Map()
let SCOPES = []

function resolved(node, seen = 0) {
    if (!node || node.type !== 'Identifier' || seen >= 3) return node
    for (const fn of SCOPES) {
        const own = LOCALS.get(fn)
        if (own && node.name in own) return own[node.name] ? resolved(own[node.name], seen + 1) : node
    }
    return CONSTS[node.name] ? resolved(CONSTS[node.name], seen + 1) : node
}

function declaredPerFunction(ast, walk) {
    // function node -> {name: init, or null when the function gives the name a value more than once}
    const locals = new Map()
    walk.fullAncestor(ast, (d, _state, ancestors) => {
        if (FUNCTION_TYPES.has(d.type)) {            // a parameter's value is the caller's: unknown here
            const own = locals.get(d) || Object.create(null)
            for (const p of d.params) if (p.type === 'Identifier') own[p.name] = null
            locals.set(d, own)
            return
        }
        if (d.type !== 'VariableDeclarator' || d.id.type !== 'Identifier') return
        const fn = [...ancestors].reverse().find((a) => FUNCTION_TYPES.has(a.type))
        if (!fn) return
        const own = locals.get(fn) || Object.create(null)
        own[d.id.name] = d.id.name in own ? null : (d.init || null)
        locals.set(fn, own)
    })
    return locals
}

function template(node) {
    node = resolved(node)
    if (!node) return ''
    switch (node.type) {
        case 'Literal':
            return typeof node.value === 'string' ? node.value.replace(/[{}]/g, (c) => c + c) : '{}'
        case 'TemplateLiteral':
            return node.quasis.map((q, i) => (q.value.cooked || '').replace(/[{}]/g, (c) => c + c) +
                (i < node.expressions.length ? '{}' : '')).join('')
        case 'BinaryExpression':
            return node.operator === '+' ? template(node.left) + template(node.right) : '{}'
        case 'CallExpression':
            return isStringish(node) ? formatTemplate(node) : '{}'
        default:
            return '{}'
    }
}

function squeeze(text) {
    return text.replace(/(\{\})+/g, '{}')
}

function isContextArg(node) {
    if (node.type === 'ThisExpression') return true
    if (node.type === 'Identifier') return CONTEXT_NAMES.has(node.name)
    if (node.type === 'MemberExpression' && !node.computed) return /(connection|transaction|plugin|hmail)$/.test(node.property.name)
    return false
}

function logTemplate(args) {
    const parts = args.filter((a) => !isContextArg(a)).map(template)
    return squeeze(parts.join(''))
}

// ------------------------------------------------------------------ which call is a message

function calleeName(call) {
    const c = call.callee
    if (c.type === 'Identifier') return c.name
    if (c.type === 'MemberExpression' && !c.computed) return c.property.name
    return ''
}

function codeName(node) {
    node = resolved(node)
    // next(x ? DENY : DENYSOFT, msg) can answer either: 'DENY|DENYSOFT'
    if (node && node.type === 'ConditionalExpression') {
        const both = [codeName(node.consequent), codeName(node.alternate)].filter(Boolean)
        return both.length ? [...new Set(both)].sort().join('|') : null
    }
    // Haraka's constants come as DENYSOFT and as constants.denysoft
    const name = memberName(node).split('.').pop().toUpperCase()
    return CODES.has(name) ? name : null
}

function messageOf(call) {
    const name = calleeName(call)
    const args = call.arguments
    if (LEVELS[name]) return { kind: 'log', level: LEVELS[name], template: logTemplate(args) }
    if (SHORT_LEVELS[name] && call.callee.type === 'MemberExpression' && LOGGER_NAMES.test(memberName(call.callee.object))) {
        return { kind: 'log', level: SHORT_LEVELS[name], template: logTemplate(args) }
    }
    if (name === 'log' && args[0] && args[0].type === 'Literal' && LEVEL_WORDS.has(String(args[0].value).toUpperCase())) {
        return { kind: 'log', level: String(args[0].value).toUpperCase(), template: logTemplate(args.slice(1)) }
    }
    if (NEXT_NAMES.has(name) && args.length >= 1) {
        const code = codeName(args[0])
        if (code) return { kind: 'reply', code, template: args[1] ? squeeze(template(args[1])) : '' , dsn: dsnName(args[1]) }
    }
    if (name === 'respond' && args[0] && args[0].type === 'Literal' && typeof args[0].value === 'number') {
        return { kind: 'reply', code: String(args[0].value), template: squeeze(template(args[1])) }
    }
    if (name === 'add' && /results$/.test(memberName(call.callee.object)) && args[1] && args[1].type === 'ObjectExpression') {
        const err = args[1].properties.find((p) => p.key && (p.key.name === 'err' || p.key.value === 'err'))
        if (err) return { kind: 'log', level: 'ERROR', template: squeeze(template(err.value)), via: 'results' }
    }
    return null
}

function dsnName(node) {
    if (node && node.type === 'CallExpression') {
        const name = memberName(node.callee)
        if (/^DSN\./.test(name)) return name.slice(4)
    }
    return undefined
}

// ------------------------------------------------------------------ where a call sits

function fnName(node, parent) {
    if (node.id && node.id.name) return node.id.name
    if (!parent) return ''
    if (parent.type === 'AssignmentExpression') return memberName(parent.left).split('.').pop()
    if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name
    if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.key) {
        return parent.key.name || String(parent.key.value || '')
    }
    return ''
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

function enclosing(ancestors) {
    // innermost named function, and the outermost one (the method or export the code belongs to)
    let inner = ''
    let outer = ''
    for (let i = ancestors.length - 1; i >= 0; i--) {
        const node = ancestors[i]
        const parent = i > 0 ? ancestors[i - 1] : null
        if (node.type === 'MethodDefinition' && node.key) {
            const name = node.key.name || String(node.key.value || '')
            if (!inner) inner = name
            outer = name
        } else if (FUNCTION_TYPES.has(node.type)) {
            const name = fnName(node, parent)
            if (name) {
                if (!inner) inner = name
                outer = name
            }
        }
    }
    return { inner, outer }
}

// ------------------------------------------------------------------ per file facts

function registeredHooks(ast, walk) {
    const byFn = Object.create(null)
    walk.simple(ast, {
        CallExpression(call) {
            if (calleeName(call) !== 'register_hook') return
            const [hook, fn] = call.arguments
            if (hook && hook.type === 'Literal' && fn && fn.type === 'Literal') {
                ;(byFn[fn.value] = byFn[fn.value] || new Set()).add(String(hook.value))
            }
        },
    })
    return byFn
}

function hookOfName(name) {
    let m = /^hook_(.+)$/.exec(name)
    if (m) return m[1]
    m = /^(connect|helo|ehlo|mail|rcpt|data|data_post|queue|queue_outbound|unrecognized_command)_respond$/.exec(name)
    if (m) return m[1]
    m = /^cmd_(helo|ehlo|mail|rcpt|data|rset|quit|auth|starttls)$/.exec(name)
    return m ? m[1] : null
}

function callGraph(ast, walk) {
    // function name -> names it calls as this.X / plugin.X / X (one file only)
    const calls = Object.create(null)
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        if (node.type !== 'CallExpression') return
        const name = calleeName(node)
        if (!name) return
        const { outer } = enclosing(ancestors)
        if (outer) (calls[outer] = calls[outer] || new Set()).add(name)
    })
    return calls
}

function hooksByFunction(ast, walk) {
    const registered = registeredHooks(ast, walk)
    const calls = callGraph(ast, walk)
    const hooks = Object.create(null)
    const add = (fn, hook) => {
        const set = (hooks[fn] = hooks[fn] || new Set())
        if (set.has(hook)) return false
        set.add(hook)
        return true
    }
    for (const fn of new Set([...Object.keys(calls), ...Object.keys(registered)])) {
        const direct = hookOfName(fn)
        if (direct) add(fn, direct)
        for (const h of registered[fn] || []) add(fn, h)
    }
    let changed = true
    for (let round = 0; changed && round < 8; round++) {
        changed = false
        for (const [fn, callees] of Object.entries(calls)) {
            for (const hook of hooks[fn] || []) {
                for (const callee of callees) {
                    if (!hookOfName(callee) && callee !== fn && calls[callee] !== undefined) changed = add(callee, hook) || changed
                }
            }
        }
    }
    return hooks
}

function configReads(ast, walk) {
    // function name -> {files, keys}; '' collects what the file reads outside any function
    const reads = Object.create(null)
    const at = (fn) => (reads[fn] = reads[fn] || { files: new Set(), keys: new Set() })
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        const { outer } = enclosing(ancestors)
        if (node.type === 'CallExpression') {
            const callee = memberName(node.callee)
            const arg = node.arguments[0]
            if (/(^|\.)config\.(get|getInt|getDir|get_ini)$/.test(callee) && arg && arg.type === 'Literal' && typeof arg.value === 'string') {
                at(outer).files.add(arg.value)
            }
        } else if (node.type === 'MemberExpression' && !node.computed) {
            const chain = memberName(node)
            const m = /(?:^|\.)cfg\.([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)?)$/.exec(chain)
            const parent = ancestors[ancestors.length - 2]
            if (m && !(parent && parent.type === 'MemberExpression' && parent.object === node) && !JS_MEMBERS.test(m[1])) {
                at(outer).keys.add(m[1])
            }
        }
    })
    return reads
}

// ------------------------------------------------------------------ main

function declaredOnce(ast, walk) {
    // names given a value exactly once in the file (const/let/var x = init): their value is known
    const count = Object.create(null)
    const init = Object.create(null)
    walk.simple(ast, {
        VariableDeclarator(d) {
            if (d.id.type !== 'Identifier') return
            count[d.id.name] = (count[d.id.name] || 0) + 1
            init[d.id.name] = d.init
        },
    })
    const out = Object.create(null)
    for (const name of Object.keys(count)) if (count[name] === 1 && init[name]) out[name] = init[name]
    return out
}

function replyWrappers(ast, walk) {
    // functions that answer next(CODE, <one of their parameters>): penalize(connection, d, msg, next)
    const wrappers = Object.create(null)
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        if (node.type !== 'CallExpression' || !NEXT_NAMES.has(calleeName(node)) || node.arguments.length < 2) return
        const code = codeName(node.arguments[0])
        const msg = node.arguments[1]
        if (!code || msg.type !== 'Identifier') return
        for (let i = ancestors.length - 1; i >= 0; i--) {
            const fn = ancestors[i]
            if (!FUNCTION_TYPES.has(fn.type)) continue
            const at = fn.params.findIndex((prm) => prm.type === 'Identifier' && prm.name === msg.name)
            const name = fnName(fn, ancestors[i - 1])
            if (at >= 0 && name) wrappers[name] = { at, code }
            if (at >= 0) break
        }
    })
    return wrappers
}

function wrapperReply(call, wrappers) {
    const w = wrappers[calleeName(call)]
    const arg = w && call.arguments[w.at]
    if (!arg || !isStringish(arg)) return null
    return { kind: 'reply', code: w.code, template: squeeze(template(arg)) }
}

function inherited(ast, walk) {
    // this.inherits('dns_list_base'), plugin.inherits('haraka-plugin-redis'): whose code runs as this plugin
    const names = new Set()
    walk.simple(ast, {
        CallExpression(call) {
            const arg = call.arguments[0]
            if (calleeName(call) === 'inherits' && arg && arg.type === 'Literal' && typeof arg.value === 'string') {
                names.add(arg.value)
            }
        },
    })
    return [...names].sort()
}

function fileMessages(acorn, walk, root, file, npmlog) {
    const text = fs.readFileSync(file, 'utf8')
    let ast
    try {
        ast = parseJs(acorn, text, true)
    } catch (err) {
        return { messages: [], error: `${path.relative(root, file)}: ${err.message}` }
    }
    if (npmlog) return npmlogFileMessages(ast, walk, npmlog, root, file)
    CONSTS = declaredOnce(ast, walk)
    LOCALS = declaredPerFunction(ast, walk)
    const wrappers = replyWrappers(ast, walk)
    const hooks = hooksByFunction(ast, walk)
    const reads = configReads(ast, walk)
    const fileFiles = new Set(Object.values(reads).flatMap((r) => [...r.files]))
    const inherits = inherited(ast, walk)
    const messages = []
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        if (node.type === 'ThrowStatement' && node.argument && node.argument.type === 'NewExpression') {
            const m = { kind: 'throw', level: 'ERROR', template: squeeze(template(node.argument.arguments[0])) }
            messages.push(place(m, node, ancestors, hooks, reads, fileFiles, root, file))
            return
        }
        if (node.type !== 'CallExpression') return
        SCOPES = ancestors.filter((a) => FUNCTION_TYPES.has(a.type)).reverse()
        const m = messageOf(node) || wrapperReply(node, wrappers)
        if (m) messages.push(place(m, node, ancestors, hooks, reads, fileFiles, root, file))
    })
    return { messages, inherits }
}

function place(m, node, ancestors, hooks, reads, fileFiles, root, file) {
    const { inner, outer } = enclosing(ancestors)
    const hookSet = new Set([...(hooks[outer] || []), ...(hooks[inner] || [])])
    const own = reads[outer] || { files: new Set(), keys: new Set() }
    // a function that reads cfg keys reads them from the files its plugin loads
    const files = own.files.size ? own.files : (own.keys.size ? fileFiles : new Set())
    return {
        ...m,
        file: path.relative(root, file).split(path.sep).join('/'),
        line: node.loc.start.line,
        function: inner || outer || '',
        hooks: [...hookSet].sort(),
        config: { files: [...files].sort(), keys: [...own.keys].sort() },
    }
}

// ------------------------------------------------------------------ WildDuck / ZoneMTA (--style npmlog)

function npmlogFileMessages(ast, walk, npmlog, root, file) {
    CONSTS = Object.create(null)
    LOCALS = new Map()
    SCOPES = []
    const keys = Object.create(null)     // outer function -> config keys it reads
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        if (node.type !== 'MemberExpression' || node.computed) return
        const key = npmlog.configKey(node, ancestors)
        if (key) (keys[enclosing(ancestors).outer] = keys[enclosing(ancestors).outer] || new Set()).add(key)
    })
    const messages = []
    walk.fullAncestor(ast, (node, _state, ancestors) => {
        let m = null
        if (node.type === 'ThrowStatement' && node.argument && node.argument.type === 'NewExpression') {
            m = { kind: 'throw', level: 'ERROR', template: squeeze(template(node.argument.arguments[0])) }
        } else {
            m = npmlog.messageOf(node, ancestors)
        }
        if (!m) return
        const { inner, outer } = enclosing(ancestors)
        const hook = npmlog.hookOf(ancestors)
        messages.push({
            ...m,
            file: path.relative(root, file).split(path.sep).join('/'),
            line: node.loc.start.line,
            function: npmlog.routeOf(ancestors) || inner || outer || '',
            hooks: hook ? [hook] : [],
            config: { files: [], keys: [...(keys[outer] || [])].sort() },
        })
    })
    return { messages }
}

function main() {
    const opts = parseArgs(process.argv.slice(2))
    const acorn = require(path.join(opts.acorn, 'node_modules', 'acorn'))
    const walk = require(path.join(opts.acorn, 'node_modules', 'acorn-walk'))
    const npmlog = opts.style === 'npmlog'
        ? require('./messages_npmlog.js')({ template, squeeze, memberName, calleeName, isStringish })
        : null
    const out = {}
    for (const dir of opts.dirs) {
        const root = path.resolve(dir)
        const messages = []
        const errors = []
        const inherits = {}
        for (const file of jsFiles(root, opts.style)) {
            const r = fileMessages(acorn, walk, root, file, npmlog)
            messages.push(...r.messages)
            if (r.error) errors.push(r.error)
            if (r.inherits && r.inherits.length) inherits[path.relative(root, file).split(path.sep).join('/')] = r.inherits
        }
        out[dir] = { messages, errors, inherits }
    }
    process.stdout.write(JSON.stringify(out))
}

main()
