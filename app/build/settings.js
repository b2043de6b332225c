#!/usr/bin/env node
'use strict'
// The settings a package's default JavaScript config file defines (ZoneMTA's config/default.js).
//
// Usage:  node settings.js --acorn <dir holding node_modules/acorn{,-walk}> <config.js> [...]
// Prints {"<file>": {"settings": [{key, value, line}], "error": "..."?}}. The file is evaluated the way
// wild-config loads it (a vm with `module.exports`), so computed defaults (30 * 24 * 3600 * 1000) are
// their values; acorn finds the line of each key. Keys are dotted paths ('dbs.redis.port'); arrays
// and scalars are leaves; functions and regexes are skipped.

const fs = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')

function evaluate(file) {
    const sandbox = { require, __dirname: path.dirname(file), __filename: file, module: { exports: {} }, process }
    sandbox.exports = sandbox.module.exports
    new vm.Script(fs.readFileSync(file, 'utf8')).runInNewContext(sandbox)
    return sandbox.module.exports
}

function isPlain(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RegExp)
}

function leaves(value, prefix, out) {
    if (isPlain(value)) {
        for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out)
    } else if (prefix && typeof value !== 'function' && !(value instanceof RegExp) && value !== undefined) {
        out.push({ key: prefix, value: JSON.parse(JSON.stringify(value === null ? null : value)) })
    }
    return out
}

function keyName(prop) {
    if (!prop.key) return ''
    if (prop.key.type === 'Identifier') return prop.key.name
    if (prop.key.type === 'Literal') return String(prop.key.value)
    return ''
}

function lines(acorn, walk, text) {
    // dotted key -> line, for the object literal assigned to module.exports
    const ast = acorn.parse(text, { ecmaVersion: 'latest', locations: true, sourceType: 'script' })
    const out = Object.create(null)
    const visit = (obj, prefix) => {
        for (const prop of obj.properties) {
            const name = keyName(prop)
            if (!name) continue
            const key = prefix ? `${prefix}.${name}` : name
            out[key] = prop.loc.start.line
            if (prop.value && prop.value.type === 'ObjectExpression') visit(prop.value, key)
        }
    }
    walk.simple(ast, {
        AssignmentExpression(node) {
            const left = node.left
            if (left.type === 'MemberExpression' && left.object.name === 'module' && left.property.name === 'exports' &&
                node.right.type === 'ObjectExpression') {
                visit(node.right, '')
            }
        },
    })
    return out
}

function main() {
    const argv = process.argv.slice(2)
    const at = argv.indexOf('--acorn')
    const tools = argv[at + 1]
    const files = argv.filter((_, i) => i !== at && i !== at + 1)
    const acorn = require(path.join(tools, 'node_modules', 'acorn'))
    const walk = require(path.join(tools, 'node_modules', 'acorn-walk'))
    const out = {}
    for (const file of files) {
        try {
            const where = lines(acorn, walk, fs.readFileSync(file, 'utf8'))
            const settings = leaves(evaluate(path.resolve(file)), '', [])
            for (const s of settings) {
                // a leaf inside an array-less object literal has its own line; else its nearest parent's
                let key = s.key
                while (key && !(key in where)) key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : ''
                s.line = key ? where[key] : 0
            }
            out[file] = { settings }
        } catch (err) {
            out[file] = { settings: [], error: String(err && err.message) }
        }
    }
    process.stdout.write(JSON.stringify(out))
}

main()
