// A stand-in for the `vscode` module, so that parts of vscode-languageclient
// can run in plain node: every property is a do-nothing class or function,
// except the values a test sets in `overrides` (by dotted path).
'use strict';
const Module = require('module');

function stub(name, overrides) {
  const kids = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(t, p) {
      if (p === 'prototype') {
        return t.prototype;
      }
      if (typeof p === 'symbol' || p === 'then') {
        return undefined;
      }
      const path = name === '' ? p : `${name}.${p}`;
      if (Object.prototype.hasOwnProperty.call(overrides, path)) {
        return overrides[path];
      }
      if (!kids.has(p)) {
        kids.set(p, stub(path, overrides));
      }
      return kids.get(p);
    },
    set(t, p, v) {
      kids.set(p, v);
      return true;
    },
    construct() {
      return stub(`${name}()`, overrides);
    },
    apply() {
      return undefined;
    },
  });
}

/** Makes `require('vscode')` return a stub; returns it. */
function install(overrides) {
  const vscode = stub('', overrides);
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  return vscode;
}

module.exports = { install };
