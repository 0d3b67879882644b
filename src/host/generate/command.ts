/**
 * "Pixelwright: Generate Image…": gathers what it was not given (prompt, model, size, quality,
 * count, the model's other options) with quick picks that default to the last choice, then hands
 * the request to the run pipeline (src/host/run/pipeline.ts).
 */
import * as vscode from 'vscode';
import { parseGenerateArgs, type GenerateArgs } from '../../core/args';
import { COMPLEXITIES, customSizeMessage, ModelTable, type Background, type Complexity, type ModelCapabilities, type OutputFormat } from '../../core/models';
import type { ImageRequest } from '../../core/request';
import { fitOptions, IMAGE_COUNTS, modelInfo, type FittedChoices, type ModelInfo } from '../../shared/modelRules';
import { showError } from '../platform/errors';
import type { Log } from '../platform/log';
import { translateMessage } from '../platform/messages';
import { modelTable } from '../platform/models';
import { readSettings, type PixelwrightSettings } from '../platform/settings';
import type { RunHistory } from '../run/history';
import { deploymentModel, longestPromptLimit, offeredModels, preferredModel, promptLength } from '../../core/modelChoice';
import type { RunPipeline } from '../run/pipeline';
import { BACK, inputText, pickOne, RECENT, shortLabel, type Choice, type StepInfo } from './quickFlow';

/** The compression levels the palette offers (any other whole number can be typed). */
const COMPRESSION_LEVELS = [100, 95, 90, 85, 80, 75, 70, 60, 50, 40, 30, 20, 10, 0];

/** The palette's "Generate Image…": gathers the request, then hands it to the run pipeline. */
export class GenerateCommand {
  constructor(
    private readonly pipeline: RunPipeline,
    private readonly history: RunHistory,
    private readonly log: Log,
  ) {}

  /** The command: returns the written files (for keybindings, tasks and other extensions). */
  async generateCommand(raw?: unknown): Promise<vscode.Uri[]> {
    const parsed = parseGenerateArgs(raw);
    if (!parsed.ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pixelwright: Generate Image was given a bad argument: {0}.', translateMessage(parsed.text)));
      return [];
    }
    if (parsed.ignored.length) this.log.warn(`generate: ignored unknown argument fields ${parsed.ignored.join(', ')}`);
    const settings = readSettings();
    const table = modelTable(settings);
    const req = await this.gather(parsed.args, settings, table);
    if (!req) return [];
    const args = parsed.args;
    return this.pipeline.run(req, table.get(req.model)!, settings, {
      outputFolder: args.outputFolder,
      noOpen: args.noOpen,
      actions: {
        editPrompt: () => vscode.commands.executeCommand('pixelwright.generate', { ...args, prompt: undefined, model: req.model }),
        // The same prompt with the model step open (not with Azure: the deployment runs one model).
        // Options that belong to the refused model are asked again, fitted to the new one.
        pickModel:
          offeredModels(table, settings, req.operation).length > 1
            ? () => vscode.commands.executeCommand('pixelwright.generate', { prompt: req.prompt, n: args.n, outputFolder: args.outputFolder, noOpen: args.noOpen })
            : undefined,
      },
    });
  }

  /** Asks for whatever `args` does not say, in steps with Back; undefined when cancelled. */
  private async gather(args: GenerateArgs, settings: PixelwrightSettings, table: ModelTable): Promise<ImageRequest | undefined> {
    const t = vscode.l10n.t;
    const last = this.history.lastChoices();
    const title = t('Pixelwright: Generate Image');

    if (args.model !== undefined && !table.get(args.model)) {
      void showError({ kind: 'validation', param: 'model', serverMessage: t('unknown model "{0}"; add it to pixelwright.customModels if your server offers it', args.model) }, this.pipeline.errorContext(settings));
      return undefined;
    }
    // With Azure the deployment runs one model (the setting): it is the only one offered, and a
    // run that names another (a keybinding, a recipe from elsewhere) would send it fields it refuses.
    const deployed = deploymentModel(table, settings);
    if (args.model !== undefined && deployed && table.get(args.model)!.id !== deployed.id) {
      const said = t('the Azure deployment "{0}" runs {1} (the pixelwright.model setting), so it cannot take {2}', settings.azure.deployment, deployed.id, args.model);
      void showError({ kind: 'validation', param: 'model', serverMessage: said }, this.pipeline.errorContext(settings));
      return undefined;
    }

    const offered = offeredModels(table, settings, 'generate');
    const modelStep = args.model === undefined && offered.length > 1;

    let prompt = args.prompt;
    let model = args.model;
    let caps: ModelCapabilities | undefined;
    let prefs: FittedChoices = {};
    let n = args.n;
    let compression = args.outputCompression;
    const chosen: Record<string, string | undefined> = {};

    type Step = 'prompt' | 'model' | 'size' | 'quality' | 'complexity' | 'n' | 'outputFormat' | 'outputCompression' | 'background' | 'style';
    const compressible = (c: ModelCapabilities) => c.compression && (prefs.outputFormat === 'jpeg' || prefs.outputFormat === 'webp');
    const stepsFor = (c: ModelCapabilities): Step[] => {
      const s: Step[] = [];
      if (args.prompt === undefined) s.push('prompt');
      if (modelStep) s.push('model');
      if (args.size === undefined && (c.sizes.length > 1 || c.customSize)) s.push('size');
      if (args.quality === undefined && c.qualities.length > 1) s.push('quality');
      if (args.complexity === undefined && c.complexity) s.push('complexity');
      if (args.n === undefined) s.push('n');
      if (args.outputFormat === undefined && c.outputFormats.length > 1) s.push('outputFormat');
      if (args.outputCompression === undefined && compressible(c)) s.push('outputCompression');
      if (args.background === undefined && c.backgrounds.length > 1) s.push('background');
      if (args.style === undefined && c.styles.length > 1) s.push('style');
      return s;
    };
    const resolveModel = () => {
      caps = (model !== undefined ? table.get(model) : undefined) ?? preferredModel(offered, settings, last.model) ?? table.get(settings.model) ?? table.get('gpt-image-1.5')!;
      model = caps.id;
      // Remembered and configured choices are fitted to the model; explicit arguments are not,
      // so that a wrong one is refused by validation with a clear message.
      const given = Object.fromEntries(
        Object.entries({ size: args.size, quality: args.quality, style: args.style, background: args.background, outputFormat: args.outputFormat, complexity: args.complexity }).filter(([, v]) => v !== undefined),
      ) as FittedChoices;
      prefs = {
        ...fitOptions(modelInfo(caps, 'generate'), {
          size: chosen.size ?? last.size ?? settings.size,
          quality: chosen.quality ?? last.quality ?? settings.quality,
          style: chosen.style ?? last.style,
          background: chosen.background ?? last.background,
          outputFormat: chosen.outputFormat ?? last.outputFormat ?? settings.outputFormat,
          complexity: chosen.complexity,
        }),
        ...given,
      };
    };
    resolveModel(); // the last or configured model until the user picks one

    // The prompt's length is checked against the model that will take it: the one already known
    // (given, or the only one offered), else the longest any model takes; the model step then
    // marks and refuses the models it is too long for.
    const fits = (m: ModelCapabilities) => prompt === undefined || promptLength(prompt) <= m.maxPromptChars;
    const tooLongFor = (m: ModelCapabilities, text: string) => t('The prompt has {0} characters; {1} takes at most {2}.', count(promptLength(text)), m.id, count(m.maxPromptChars));
    const promptProblem = (text: string): string | undefined => {
      if (!modelStep) return promptLength(text) > caps!.maxPromptChars ? tooLongFor(caps!, text) : undefined;
      const limit = longestPromptLimit(offered);
      return promptLength(text) > limit ? t('The prompt has {0} characters; no model takes more than {1}.', count(promptLength(text)), count(limit)) : undefined;
    };

    const draft = this.history.draftPrompt();
    const recent = this.history.recentPrompts();
    let i = 0;
    while (true) {
      const allSteps = stepsFor(caps!);
      const step = allSteps[i];
      if (step === undefined) break;
      const info: StepInfo = { title, step: i + 1, totalSteps: allSteps.length };
      let result: unknown;
      switch (step) {
        case 'prompt': {
          result = await inputText(info, t('Describe the image to make (Enter to continue)'), prompt ?? draft, promptProblem, { withRecent: recent.length > 0, placeholder: t('Describe the image to make (Enter to continue)') });
          if (result === RECENT) {
            // The recent prompts; the one picked goes back into the box, to edit or to take.
            const picked = await pickOne(info, t('Recent prompts'), recent.map((r): Choice<string> => ({ label: shortLabel(r), value: r })), undefined);
            if (typeof picked === 'string') prompt = picked;
            continue;
          }
          if (typeof result === 'string') prompt = result;
          break;
        }
        case 'model': {
          // Preselect the resolved model unless the prompt is too long for it.
          const active = fits(caps!) ? caps!.id : (preferredModel(offered.filter(fits), settings, last.model)?.id ?? caps!.id);
          result = await pickOne(
            info,
            t('Model'),
            offered.map((m): Choice<string> => ({
              label: m.id,
              description: m.note && translateMessage(m.note),
              detail: fits(m) ? describeModel(modelInfo(m, 'generate')) : `$(error) ${t('The prompt is too long for this model: at most {0} characters.', count(m.maxPromptChars))}`,
              value: m.id,
            })),
            active,
            (id) => {
              const m = table.get(id)!;
              if (fits(m)) return undefined;
              return {
                message: t('Pixelwright: the prompt has {0} characters; {1} takes at most {2}. Pick another model or shorten the prompt.', count(promptLength(prompt!)), m.id, count(m.maxPromptChars)),
                // Back from the model step is the prompt step, when there is one.
                actions: args.prompt === undefined ? [[t('Edit Prompt'), BACK]] : [],
              };
            },
          );
          if (typeof result === 'string') {
            model = result;
            resolveModel();
          }
          break;
        }
        case 'size': {
          const c = caps!;
          const custom = '__custom__';
          const choices: Choice<string>[] = c.sizes.map((s) => ({ label: s, description: s === 'auto' ? t('the model decides') : undefined, value: s }));
          if (prefs.size && !c.sizes.includes(prefs.size)) choices.push({ label: prefs.size, description: t('custom'), value: prefs.size });
          if (c.customSize) choices.push({ label: t('Custom size…'), description: t('width x height, multiples of {0}', c.customSize.multiple), value: custom });
          result = await pickOne(info, t('Size'), choices, prefs.size);
          if (result === custom) {
            const rule = c.customSize!;
            result = await inputText(info, t('Width x height, e.g. 1536x864 (multiples of {0}, ratio up to {1}:1, at most 3840x2160)', rule.multiple, rule.maxRatio), prefs.size && prefs.size !== 'auto' ? prefs.size : '', (v) => {
              const m = customSizeMessage(v, rule);
              return m && translateMessage(m);
            }, { back: true });
            if (result === BACK) continue;
          }
          if (typeof result === 'string') prefs = { ...prefs, size: (chosen.size = result) };
          break;
        }
        case 'quality':
          result = await pickOne(info, t('Quality'), caps!.qualities.map((q) => ({ label: q, value: q })), prefs.quality);
          if (typeof result === 'string') prefs = { ...prefs, quality: (chosen.quality = result) };
          break;
        case 'complexity': {
          const byDefault = '__default__';
          const choices: Choice<string>[] = [
            { label: t('default'), description: t("the model's own planning effort"), value: byDefault },
            ...COMPLEXITIES.map((c) => ({ label: c, value: c })),
          ];
          result = await pickOne(info, t('Complexity: how much the model plans the image (apart from its quality)'), choices, prefs.complexity ?? byDefault);
          if (typeof result === 'string') {
            chosen.complexity = result === byDefault ? undefined : result;
            prefs = { ...prefs, complexity: chosen.complexity as Complexity | undefined };
          }
          break;
        }
        case 'n': {
          const perRequest = caps!.maxN;
          const atOnce = settings.maxConcurrentRequests;
          result = await pickOne(
            info,
            t('How many images'),
            IMAGE_COUNTS.map((k): Choice<number> => ({ label: String(k), description: requestsText(k, perRequest, atOnce), value: k })),
            n ?? last.n ?? settings.count,
          );
          if (typeof result === 'number') n = result;
          break;
        }
        case 'outputFormat':
          result = await pickOne(info, t('File format'), caps!.outputFormats.map((f) => ({ label: f, value: f })), prefs.outputFormat);
          if (typeof result === 'string') {
            prefs = { ...prefs, outputFormat: (chosen.outputFormat = result) as OutputFormat };
            if (prefs.background === 'transparent' && result === 'jpeg') prefs = { ...prefs, background: 'auto' };
          }
          break;
        case 'outputCompression': {
          const current = compression ?? last.outputCompression ?? 100;
          const other = -1;
          const levels = [...new Set([...COMPRESSION_LEVELS, current])].sort((a, b) => b - a);
          const choices: Choice<number>[] = levels.map((l) => ({ label: String(l), description: l === 100 ? t('no compression (the default)') : undefined, value: l }));
          choices.push({ label: t('Other level…'), description: t('a whole number from 0 to 100'), value: other });
          result = await pickOne(info, t('Compression of the {0} file: 100 keeps every detail, lower makes it smaller', prefs.outputFormat ?? ''), choices, current);
          if (result === other) {
            result = await inputText(info, t('Compression level: a whole number from 0 to 100'), String(current), (v) =>
              /^\d{1,3}$/.test(v) && Number(v) <= 100 ? undefined : t('Type a whole number from 0 to 100.'),
              { back: true },
            );
            if (result === BACK) continue;
            if (typeof result === 'string') result = Number(result);
          }
          if (typeof result === 'number') compression = result;
          break;
        }
        case 'background':
          result = await pickOne(
            info,
            t('Background'),
            caps!.backgrounds.filter((b) => !(b === 'transparent' && prefs.outputFormat === 'jpeg')).map((b) => ({ label: b, value: b })),
            prefs.background,
          );
          if (typeof result === 'string') prefs = { ...prefs, background: (chosen.background = result) as Background };
          break;
        case 'style':
          result = await pickOne(info, t('Style'), caps!.styles.map((s) => ({ label: s, value: s })), prefs.style);
          if (typeof result === 'string') prefs = { ...prefs, style: (chosen.style = result) };
          break;
      }
      if (result === undefined) return undefined;
      if (result === BACK) i = Math.max(0, i - 1);
      else i++;
    }
    if (prompt === undefined) return undefined;

    const { frames: _frames, frameMs: _frameMs, ...fitted } = prefs;
    void _frames;
    void _frameMs;
    const gif = prefs.outputFormat === 'gif';
    const req: ImageRequest = {
      operation: 'generate',
      model: caps!.id,
      prompt,
      n: n ?? last.n ?? settings.count,
      ...fitted,
      // GIF: the frames asked for, else the API's defaults (9 frames of 200 ms).
      ...(gif || args.frameCount !== undefined ? { frameCount: args.frameCount } : {}),
      ...(gif || args.frameDurationMs !== undefined ? { frameDurationMs: args.frameDurationMs } : {}),
      // Explicit arguments go as given (validation refuses a wrong one); the chosen level only where it applies.
      outputCompression: args.outputCompression ?? (compressible(caps!) ? compression : undefined),
      moderation: args.moderation ?? (caps!.moderation && settings.moderation !== 'auto' ? settings.moderation : undefined),
    };
    await this.history.remember(req);
    return req;
  }

}

/** The line under a model in the model step: its sizes, and when it makes one image per request. */
function describeModel(m: ModelInfo): string {
  const parts = [m.sizes.join(' · ') + (m.customSize ? ' · WxH' : '')];
  if (m.maxN === 1) parts.push(vscode.l10n.t('1 image per request'));
  return parts.join('  —  ');
}

/** A count as people read it: 1,060. */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** What `n` images become: how many requests, and how many of them run at once. */
function requestsText(n: number, perRequest: number, atOnce: number): string | undefined {
  const requests = Math.ceil(n / perRequest);
  if (requests <= 1) return undefined;
  return requests <= atOnce ? vscode.l10n.t('{0} parallel requests', requests) : vscode.l10n.t('{0} requests, {1} at a time', requests, atOnce);
}
