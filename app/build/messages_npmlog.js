'use strict'
// The message shapes of WildDuck and ZoneMTA (messages.js --style npmlog), which log through npmlog:
//
//   log.error('LMTP', 'Failed to store message: %s', err.message)     -> `ERR! LMTP Failed to store ...`
//   app.logger.info('DKIM', 'Failed loading key: %s', E.message)       (ZoneMTA plugins: app.logger is npmlog)
//   this.logger.info({tnx: 'connection'}, 'Connection from %s', ip)    (pino/bunyan-like adapters that drop the
//                                                                        object and add the server's prefix)
//   this.loggelf({short_message: '[BIMI FETCH] ' + url, _error: ...})  (printed as `info Gelf {json}` without a
//                                                                        GELF server)
//   res.status(404); res.json({error: 'This user does not exist', code: 'UserNotFound'})    (API error replies)
//   let err = new Error('Invalid Auth'); err.responseCode = 403; err.code = 'AuthFail'   (errors the API returns)
//
// Templates follow util.format: %s %d %i %f %j %o %O %c are computed parts ({}), and arguments beyond
// the format string are appended after a space. Haraka's shapes stay in messages.js, untouched.

const NPMLOG_LEVELS = { silly: 'DEBUG', verbose: 'DEBUG', debug: 'DEBUG', trace: 'DEBUG', info: 'INFO',
    http: 'INFO', timing: 'INFO', notice: 'NOTICE', warn: 'WARN', error: 'ERROR', fatal: 'CRIT' }
// `log`, `logger`, `this.logger`, `app.logger`, `server.logger`, `this._server.logger`, `connection.logger`, ...
const LOGGER = /(^|\.)(log|_?logger)$/
// npmlog itself (ZoneMTA hands it to plugins as app.logger): its first argument is always the prefix
const NPMLOG = /^(log|npmlog|app\.logger)$/
// an npmlog prefix is one word: 'API', 'Queue', 'Sender/{}/{}', 'HTTPBounce[{}]'; a message has spaces or %
const PREFIX = /^[\w.\-/[\]{}:#]+$/
const PLACEHOLDER = /%[sdifjoOc%]/g
const GELF_FAILURE = new Set(['_error', '_failure', '_err_code'])
// SMTP reply codes that are not also common HTTP statuses: an error object with one of them and no
// string code is an SMTP reply (ZoneMTA's smtp-interface), otherwise an API error (WildDuck)
const SMTP_ONLY = /^(4[5]\d|5[1-5]\d)$/

module.exports = (h) => {
    const { template, squeeze, memberName, calleeName, isStringish } = h

    function utilFormat(args) {
        if (!args.length) return ''
        const [first, ...rest] = args
        if (!isStringish(first)) return '{}'
        let text = template(first)
        if (!rest.length) return squeeze(text)
        let used = 0
        text = text.replace(PLACEHOLDER, (m) => {
            if (m === '%%') return '%'
            used++
            return '{}'
        })
        for (let i = used; i < rest.length; i++) text += ' {}'
        return squeeze(text)
    }

    function prop(obj, name) {
        return obj.properties.find((p) => p.type === 'Property' && p.key && (p.key.name === name || p.key.value === name))
    }

    function literalString(node) {
        return node && node.type === 'Literal' && typeof node.value === 'string' ? node.value : ''
    }

    function logCall(call) {
        const callee = call.callee
        const name = calleeName(call)
        if (callee.type !== 'MemberExpression' || !NPMLOG_LEVELS[name] || !LOGGER.test(memberName(callee.object))) {
            return null
        }
        const level = NPMLOG_LEVELS[name]
        const args = call.arguments
        if (!args.length || args[0].type === 'SpreadElement') return null
        if (args[0].type === 'ObjectExpression') {          // pino/bunyan-like: (meta, format, ...args)
            return { kind: 'log', level, template: utilFormat(args.slice(1)), logger: 'object' }
        }
        const head = isStringish(args[0]) ? template(args[0]) : '{}'
        const npmlog = NPMLOG.test(memberName(callee.object))
        if (npmlog && args.length === 1 && head.indexOf(' ') > 0) {
            // log.info(`Sender/${zone}/${pid} All sessions end`): npmlog prints the one argument as the prefix
            const cut = head.indexOf(' ')
            return { kind: 'log', level, template: squeeze(head.slice(cut + 1)), prefix: head.slice(0, cut) }
        }
        if (args.length >= 2 && (npmlog || PREFIX.test(head))) {
            const m = { kind: 'log', level, template: utilFormat(args.slice(1)) }
            if (head.replace(/\{\}/g, '')) m.prefix = head
            return m
        }
        return { kind: 'log', level, template: utilFormat(args), logger: 'message' }
    }

    function gelfCall(call) {
        if (calleeName(call) !== 'loggelf' || !call.arguments[0]) return null
        const arg = call.arguments[0]
        if (arg.type !== 'ObjectExpression') {
            return isStringish(arg) ? { kind: 'log', level: 'INFO', template: squeeze(template(arg)), prefix: 'Gelf' } : null
        }
        const short = prop(arg, 'short_message')
        if (!short) return null
        const failed = arg.properties.some((p) => p.key && GELF_FAILURE.has(p.key.name || p.key.value))
        const m = { kind: 'log', level: failed ? 'WARN' : 'INFO', template: squeeze(template(short.value)), prefix: 'Gelf' }
        const action = prop(arg, '_mail_action') || prop(arg, '_action')
        if (action && literalString(action.value)) m.action = literalString(action.value)
        return m
    }

    function apiReply(obj, status) {
        const error = prop(obj, 'error')
        if (!error) return null
        const code = prop(obj, 'code')
        const m = { kind: 'api', template: squeeze(template(error.value)), code: literalString(code && code.value) }
        if (status) m.status = status
        if (m.template === '{}' && !m.code) return null
        return m
    }

    function statusBefore(call, ancestors) {
        // res.status(404).json({...})
        const obj = call.callee.object
        if (obj && obj.type === 'CallExpression' && calleeName(obj) === 'status') return numberOf(obj.arguments[0])
        // res.status(404); ... return res.json({...}) in the same block
        const target = memberName(obj)
        const { statements, index } = siblings(ancestors)
        for (let i = index - 1; i >= 0; i--) {
            const s = statements[i]
            const e = s.type === 'ExpressionStatement' ? s.expression : null
            if (e && e.type === 'CallExpression' && calleeName(e) === 'status' && memberName(e.callee.object) === target) {
                return numberOf(e.arguments[0])
            }
        }
        return 0
    }

    function numberOf(node) {
        return node && node.type === 'Literal' && typeof node.value === 'number' ? node.value : 0
    }

    function siblings(ancestors) {
        // the statement list holding the innermost statement that contains the current node
        for (let i = ancestors.length - 2; i >= 0; i--) {
            const body = ancestors[i].type === 'SwitchCase' ? ancestors[i].consequent : ancestors[i].body
            if (Array.isArray(body)) return { statements: body, index: body.indexOf(ancestors[i + 1]) }
        }
        return { statements: [], index: -1 }
    }

    function apiCall(call, ancestors) {
        const name = calleeName(call)
        const args = call.arguments
        if ((name !== 'json' && name !== 'send') || call.callee.type !== 'MemberExpression') return null
        if (args.length === 2 && args[1].type === 'ObjectExpression' && numberOf(args[0])) {   // res.json(404, {...})
            return apiReply(args[1], numberOf(args[0]))
        }
        if (name === 'json' && args.length === 1 && args[0].type === 'ObjectExpression') {
            return apiReply(args[0], statusBefore(call, ancestors))
        }
        return null
    }

    // let err = new Error('Invalid Auth'); err.responseCode = 403; err.code = 'AuthFail';
    function errorObject(node, ancestors) {
        let name = ''
        let init = null
        if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') {
            name = node.id.name
            init = node.init
        } else if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
            name = node.left.name
            init = node.right
        }
        if (!init || init.type !== 'NewExpression' || !/Error$/.test(memberName(init.callee))) return null
        const { statements, index } = siblings(ancestors)
        const facts = {}
        for (const s of statements.slice(index + 1, index + 8)) {
            const e = s.type === 'ExpressionStatement' ? s.expression : null
            if (!e || e.type !== 'AssignmentExpression' || e.left.type !== 'MemberExpression') continue
            if (memberName(e.left.object) !== name || e.left.computed) continue
            facts[e.left.property.name] = e.right
        }
        const status = numberOf(facts.responseCode)
        if (!status) return null
        const code = literalString(facts.code)
        const text = squeeze(template(init.arguments[0]))
        if (!code && SMTP_ONLY.test(String(status))) return { kind: 'reply', code: String(status), template: text }
        const m = { kind: 'api', template: text, code, status }
        return m.template === '{}' && !m.code ? null : m
    }

    function messageOf(node, ancestors) {
        if (node.type === 'CallExpression') return logCall(node) || gelfCall(node) || apiCall(node, ancestors)
        if (node.type === 'VariableDeclarator' || node.type === 'AssignmentExpression') return errorObject(node, ancestors)
        return null
    }

    // ZoneMTA plugins: app.addHook('message:queue', (envelope, messageInfo, next) => {...})
    function hookOf(ancestors) {
        for (let i = ancestors.length - 2; i >= 0; i--) {
            const a = ancestors[i]
            if (a.type === 'CallExpression' && calleeName(a) === 'addHook' && a.arguments.includes(ancestors[i + 1])) {
                const hook = literalString(a.arguments[0])
                if (hook) return hook
            }
        }
        return ''
    }

    // server.get({name: 'user', path: '/users/:user'}, handler) / this.server.post('/send', handler) (restify):
    // code inside a route handler is named by its route, 'GET /users/:user'
    const ROUTE_METHODS = { get: 'GET', post: 'POST', put: 'PUT', del: 'DELETE', patch: 'PATCH', head: 'HEAD' }

    function routeOf(ancestors) {
        for (let i = ancestors.length - 2; i >= 0; i--) {
            const a = ancestors[i]
            if (a.type !== 'CallExpression' || a.callee.type !== 'MemberExpression' || a.arguments[0] === ancestors[i + 1]) continue
            const method = ROUTE_METHODS[calleeName(a)]
            const spec = a.arguments[0]
            if (!method || !spec || !/(^|\.)(server|app|router)$/.test(memberName(a.callee.object))) continue
            const where = spec.type === 'ObjectExpression' ? prop(spec, 'path') : { value: spec }
            const route = where && literalString(where.value)
            if (route && route.startsWith('/')) return `${method} ${route}`
        }
        return ''
    }

    // config.dbs.redis, config.imap.maxMB, app.config.maxSize: what the settings files define
    const CONFIG_ROOT = /^(config|app\.config|this\.config|plugin\.config)\.(.+)$/
    const JS_MEMBERS = /\.(length|map|forEach|push|join|includes|split|filter|indexOf|keys|values|find|some|every|trim|toLowerCase|toUpperCase|replace|slice|concat|sort|reduce|test|match|get|has|toString|on|once|emit|removeListener)$/

    function configKey(node, ancestors) {
        const parent = ancestors[ancestors.length - 2]
        if (parent && parent.type === 'MemberExpression' && parent.object === node) return ''
        const m = CONFIG_ROOT.exec(memberName(node))
        if (!m) return ''
        let key = m[2]
        while (JS_MEMBERS.test('.' + key.split('.').pop()) && key.includes('.')) key = key.slice(0, key.lastIndexOf('.'))
        if (JS_MEMBERS.test('.' + key)) return ''
        const parts = key.split('.').slice(0, 3)
        return (m[1] === 'config' ? '' : 'plugin:') + parts.join('.')
    }

    return { messageOf, hookOf, routeOf, configKey, utilFormat }
}
