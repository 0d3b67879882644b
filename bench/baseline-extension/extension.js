// Baseline for the activation benchmark: what every extension pays (the host loading a module and
// calling activate()) and nothing more: one command, one Disposable.
'use strict';
const vscode = require('vscode');

exports.activate = function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('pixelwrightBench.hello', () => vscode.window.showInformationMessage('Hello')),
  );
};

exports.deactivate = function deactivate() {};
