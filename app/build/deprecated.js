#!/usr/bin/env node
'use strict'
// Print the deprecated plugin names of Haraka's plugins.js: the `plugins.deprecated = {...}` object
// literal (old name -> the plugin Haraka loads instead), read with a real parser (acorn).
//
// Usage:  node deprecated.js --acorn <dir holding node_modules/acorn{,-walk}> <plugins.js> [...]
// Prints one JSON document: {"<plugins.js>": {"deprecated": {old: new, ...} | null, "error"?: "..."}, ...}
// `deprecated` is null when the file assigns no such object (Haraka before 2.8.x had none).

const fs = require('node:fs')
const path = require('node:path')
const { parse: parseJs } = require('./jsparse.js')

function parseArgs(argv) {
    const opts = { files: [] }
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--acorn') opts.acorn = argv[++i]
        else opts.files.push(argv[i])
    }
    if (!opts.acorn) throw new Error('--acorn <dir with node_modules/acorn> is required')
    return opts
}


function keyOf(prop) {
    if (prop.type !== 'Property' || prop.computed) return null
    if (prop.key.type === 'Identifier') return prop.key.name
    if (prop.key.type === 'Literal' && typeof prop.key.value === 'string') return prop.key.value
    return null
}

// `<anything>.deprecated = {...}` (plugins.deprecated, exports.deprecated) or `const deprecated = {...}`
// 'dns-list' or `dns-list` (a template without ${}); anything computed is not a name
function stringOf(node) {
    if (node.type === 'Literal' && typeof node.value === 'string') return node.value
    if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked
    return null
}

function isDeprecatedTarget(node) {
    if (!node) return false
    if (node.type === 'Identifier') return node.name === 'deprecated'
    return node.type === 'MemberExpression' && !node.computed && node.property.name === 'deprecated'
}

function deprecatedMap(acorn, walk, text) {
    let found = null
    const take = (obj) => {
        if (found !== null || !obj || obj.type !== 'ObjectExpression') return
        found = {}
        for (const prop of obj.properties) {
            const key = keyOf(prop)
            const value = stringOf(prop.value)
            if (key !== null && value !== null) found[key] = value
        }
    }
    walk.simple(parseJs(acorn, text), {
        AssignmentExpression(node) { if (isDeprecatedTarget(node.left)) take(node.right) },
        VariableDeclarator(node) { if (isDeprecatedTarget(node.id)) take(node.init) },
    })
    return found
}

function main() {
    const opts = parseArgs(process.argv.slice(2))
    const acorn = require(path.join(opts.acorn, 'node_modules', 'acorn'))
    const walk = require(path.join(opts.acorn, 'node_modules', 'acorn-walk'))
    const out = {}
    for (const file of opts.files) {
        try {
            out[file] = { deprecated: deprecatedMap(acorn, walk, fs.readFileSync(file, 'utf8')) }
        } catch (err) {
            out[file] = { deprecated: null, error: err.message }
        }
    }
    process.stdout.write(JSON.stringify(out))
}

main()
