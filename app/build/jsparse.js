'use strict'
// The one way the generators read JavaScript: acorn, as a script first and as a module when that
// fails, tolerant of what published packages do (hashbangs, top-level return and await).

function parse(acorn, text, locations = false) {
    const base = { ecmaVersion: 'latest', locations, allowHashBang: true, allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true, allowImportExportEverywhere: true }
    try {
        return acorn.parse(text, { ...base, sourceType: 'script' })
    } catch (ignore) {
        return acorn.parse(text, { ...base, sourceType: 'module' })
    }
}

module.exports = { parse }
