/**
 * The model and the options it allows, as a form. Changing the model keeps every choice the new
 * model also offers and falls back to its defaults for the rest.
 */
import type { EditOptions } from '../../shared/editProtocol';
import { fitEditOptions, type ModelInfo } from '../../shared/modelRules';
import { h } from './dom';
import { fillCountSelect, fillSelect, selectField } from '../common/dom';
import { s } from '../common/strings';

export interface OptionsEvents {
  changed(options: EditOptions, model: ModelInfo): void;
}

let uid = 0;

/** A labelled select with an id of its own. */
function field(label: string, help?: string, name?: string): { field: HTMLElement; select: HTMLSelectElement } {
  return selectField(label, name ?? `opt-${++uid}`, help);
}

export class OptionsForm {
  readonly element: HTMLElement;
  private opts: EditOptions;
  /** "Keep unmasked pixels" as the user wants it for the models that offer it. */
  private keepPref: boolean;
  private readonly model = field(s('Model'), undefined, 'opt-model');
  private readonly modelNote = h('p', { class: 'hint model-note' });
  private readonly size = field(s('Size'), undefined, 'opt-size');
  private readonly quality = field(s('Quality'), undefined, 'opt-quality');
  private readonly n = field(s('Images'), undefined, 'opt-n');
  private readonly format = field(s('File format'), undefined, 'opt-format');
  private readonly background = field(s('Background'), undefined, 'opt-background');
  private readonly complexity = field(s('Complexity'), s('How much the model plans the image, apart from its quality.'), 'opt-complexity');
  private readonly fidelity = field(s('Input fidelity'), s('High keeps faces, logos and fine detail of the input closer.'), 'opt-fidelity');
  private readonly square: HTMLFieldSetElement;
  private readonly squarePad: HTMLInputElement;
  private readonly squareCrop: HTMLInputElement;
  private readonly keep: HTMLInputElement;
  private readonly keepField: HTMLElement;
  private guided = false;

  constructor(
    readonly models: readonly ModelInfo[],
    initial: EditOptions,
    private readonly operation: 'edit' | 'variation',
    private readonly events: OptionsEvents,
  ) {
    const m = models.find((x) => x.id === initial.model) ?? models[0];
    this.keepPref = m.squareOnly ? true : initial.keepUnmasked;
    this.opts = fitEditOptions(m, initial, this.keepPref);
    this.squarePad = h('input', { type: 'radio', name: 'square', value: 'pad', id: 'square-pad' });
    this.squareCrop = h('input', { type: 'radio', name: 'square', value: 'crop', id: 'square-crop' });
    this.square = h(
      'fieldset',
      { class: 'field square' },
      h('legend', {}, s('Make it square')),
      h('div', { class: 'radio' }, this.squarePad, h('label', { for: 'square-pad' }, s('Pad (the whole image is sent)'))),
      h('div', { class: 'radio' }, this.squareCrop, h('label', { for: 'square-crop' }, s('Crop (the centre square is sent)'))),
      h('p', { class: 'hint' }, s('{0} takes square images only.', m.id)),
    );
    this.keep = h('input', { type: 'checkbox', id: 'keep-unmasked', 'aria-describedby': 'keep-unmasked-help' });
    this.keepField = h(
      'div',
      { class: 'field check' },
      h('div', { class: 'checkbox' }, this.keep, h('label', { for: 'keep-unmasked' }, s('Keep unmasked pixels'))),
      h('p', { class: 'hint', id: 'keep-unmasked-help' }, s('Outside the painted area, results keep the original pixels exactly.')),
    );
    fillSelect(
      this.model.select,
      models.map((x) => ({ value: x.id, label: x.id })),
      m.id,
    );
    this.element = h(
      'div',
      { class: 'options' },
      this.model.field,
      this.modelNote,
      h('div', { class: 'grid' }, this.size.field, this.quality.field, this.n.field, this.format.field, this.background.field, this.complexity.field, this.fidelity.field),
      this.square,
      this.keepField,
    );

    this.model.select.addEventListener('change', () => {
      const next = this.models.find((x) => x.id === this.model.select.value);
      if (next) this.update({ ...this.opts, model: next.id });
    });
    const choices = [[this.size, 'size'], [this.quality, 'quality'], [this.format, 'outputFormat'], [this.background, 'background'], [this.complexity, 'complexity']] as const;
    for (const [f, key] of choices) f.select.addEventListener('change', () => this.update({ ...this.opts, [key]: f.select.value }));
    this.n.select.addEventListener('change', () => this.update({ ...this.opts, n: Number(this.n.select.value) }));
    this.fidelity.select.addEventListener('change', () => {
      const v = this.fidelity.select.value;
      this.update({ ...this.opts, inputFidelity: v === 'low' || v === 'high' ? v : undefined });
    });
    for (const r of [this.squarePad, this.squareCrop]) r.addEventListener('change', () => this.update({ ...this.opts, squareMode: r.value === 'crop' ? 'crop' : 'pad' }));
    this.keep.addEventListener('change', () => {
      this.keepPref = this.keep.checked;
      this.update({ ...this.opts, keepUnmasked: this.keep.checked });
    });
    this.render();
  }

  get options(): EditOptions {
    return this.opts;
  }

  get current(): ModelInfo {
    return this.models.find((x) => x.id === this.opts.model) ?? this.models[0];
  }

  /** The editor sends a guide: "Keep unmasked pixels" does not apply (a guided edit may change the whole picture). */
  setGuided(guided: boolean): void {
    this.guided = guided;
    this.render();
  }

  /** Picks a model, as the model select would (the editor's "Switch to ..."). */
  selectModel(id: string): void {
    if (!this.models.some((x) => x.id === id)) return;
    this.model.select.value = id;
    this.update({ ...this.opts, model: id });
  }

  setDisabled(disabled: boolean): void {
    for (const el of Array.from(this.element.querySelectorAll<HTMLInputElement | HTMLSelectElement>('select, input'))) el.disabled = disabled || el.dataset.off === '1';
  }

  private update(next: EditOptions): void {
    const m = this.models.find((x) => x.id === next.model) ?? this.current;
    this.opts = fitEditOptions(m, next, this.keepPref);
    this.render();
    this.events.changed(this.opts, this.current);
  }

  private render(): void {
    const m = this.current;
    const o = this.opts;
    this.modelNote.textContent = m.note ?? '';
    this.modelNote.hidden = !m.note;
    const show = (f: { field: HTMLElement }, on: boolean) => (f.field.hidden = !on);

    fillSelect(
      this.size.select,
      m.sizes.map((v) => ({ value: v, label: v === 'auto' ? s('auto') : v.replace('x', '×') })),
      o.size,
    );
    show(this.size, m.sizes.length > 1);
    fillSelect(
      this.quality.select,
      m.qualities.map((v) => ({ value: v, label: v === 'auto' ? s('auto') : v })),
      o.quality,
    );
    show(this.quality, m.qualities.length > 1);
    fillCountSelect(this.n.select, o.n);
    fillSelect(
      this.format.select,
      m.outputFormats.map((v) => ({ value: v, label: v.toUpperCase() === 'JPEG' ? 'JPEG' : v.toUpperCase() })),
      o.outputFormat,
    );
    show(this.format, m.outputFormats.length > 1);
    fillSelect(
      this.background.select,
      m.backgrounds.map((v) => ({
        value: v,
        label: v === 'auto' ? s('auto') : v === 'transparent' ? s('transparent') : v === 'opaque' ? s('opaque') : v,
        disabled: v === 'transparent' && o.outputFormat === 'jpeg',
      })),
      o.background,
    );
    show(this.background, m.backgrounds.length > 1);
    fillSelect(
      this.fidelity.select,
      [
        { value: '', label: s('default') },
        { value: 'low', label: s('low') },
        { value: 'high', label: s('high') },
      ],
      o.inputFidelity ?? '',
    );
    show(this.fidelity, m.inputFidelity);
    fillSelect(
      this.complexity.select,
      [
        { value: '', label: s('default') },
        { value: 'low', label: s('low') },
        { value: 'medium', label: s('medium') },
        { value: 'high', label: s('high') },
      ],
      o.complexity ?? '',
    );
    show(this.complexity, m.complexity);
    this.square.hidden = !m.squareOnly;
    const squareHint = this.square.querySelector('.hint');
    if (squareHint) squareHint.textContent = s('{0} takes square images only.', m.id);
    this.squarePad.checked = o.squareMode === 'pad';
    this.squareCrop.checked = o.squareMode === 'crop';
    this.keepField.hidden = this.operation !== 'edit' || m.squareOnly || this.guided;
    this.keep.checked = o.keepUnmasked;
  }
}
