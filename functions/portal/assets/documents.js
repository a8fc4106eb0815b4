// The documents a target dependent sends: per required document (and その他の書類), a photo or a
// file chosen on the device. Images are decoded, scaled and re-encoded here as JPEG (a phone's
// 4,000 px photo becomes a few hundred KB, and an iPhone's HEIC arrives as JPEG where the browser
// decodes it); PDFs go as they are. The file goes straight to the storage the API names, with
// XMLHttpRequest because fetch cannot tell how much of a body is sent; then the API checks it.

import { api } from './api.js';

const LONG_EDGE_MAX = 2000;
const JPEG_QUALITY = 0.85;
const PDF = 'application/pdf';
const TYPE_NAMES = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/pdf': 'PDF' };
const OTHER = { kind: 'other', label: 'その他の書類', note: '上記のほかに提出したい書類があれば、こちらから送ってください。' };
const UNDECODABLE =
  'この画像は、お使いのブラウザでは開けない形式のため送信できません（iPhoneのHEIC形式など）。' +
  '写真をJPEGで保存し直してから選ぶか、iPhoneの「設定」→「カメラ」→「フォーマット」で「互換性優先」を選んで撮り直してください。';
const SEND_FAILED = '送信できませんでした。電波の良いところで「再試行」を押してください。';

/** 1.5MB, 320KB: sizes as people read them (the API's limits are in binary megabytes). */
export function megabytes(bytes) {
  const mebibytes = bytes / 1024 / 1024;
  return mebibytes < 1 ? `${Math.max(1, Math.round(bytes / 1024))}KB` : `${Math.round(mebibytes * 10) / 10}MB`;
}

/**
 * The upload controls of one target's documents, built once and moved into whichever page shows
 * the documents (添付資料確認 before submitting, 提出済み after), so that an upload in progress
 * survives the move.
 */
export class DocumentUploads {
  constructor(targetId, { readOnly = false } = {}) {
    this.base = `/api/survey/targets/${targetId}/documents`;
    this.readOnly = readOnly;
    this.blocks = new Map();
    this.limits = null;
    this.intro = this.buildIntro();
    this.block(OTHER);
    this.loaded = this.load();
  }

  /** The listing and limits from the API; the uploaded files go under their documents. */
  async load() {
    const result = await api('GET', this.base);
    if (!result.ok) {
      this.announce(result.message);
      return;
    }
    this.limits = result.limits;
    this.intro.querySelector('.upload-limits').textContent = this.limitsText();
    for (const stored of result.documents) {
      const upload = new Upload(this, this.blocks.has(stored.kind) ? stored.kind : OTHER.kind);
      upload.showStored(stored);
    }
  }

  limitsText() {
    const { contentTypes, maxFileBytes, maxFiles, maxTotalBytes } = this.limits;
    const types = contentTypes.map((type) => TYPE_NAMES[type] ?? type).join('・');
    return `送れる形式は${types}です。1ファイル${megabytes(maxFileBytes)}まで、合計${maxFiles}ファイル・${megabytes(maxTotalBytes)}までです。写真は送信前に自動で縮小されます。`;
  }

  /** Puts the warning and the upload controls of `documents` (and その他) into `list`. */
  attach(list, documents) {
    list.before(this.intro);
    this.intro.hidden = this.readOnly;
    for (const document_ of [...documents, OTHER]) {
      let item = [...list.children].find((child) => child.dataset.kind === document_.kind);
      if (!item) {
        item = element('li');
        item.dataset.kind = document_.kind;
        item.append(element('p', 'document-label', document_.label));
        if (document_.note) item.append(element('p', 'help', document_.note));
        list.append(item);
      }
      item.append(this.block(document_).root);
    }
  }

  /** The controls of one kind of document, made on first use. */
  block(document_) {
    if (!this.blocks.has(document_.kind)) {
      this.blocks.set(document_.kind, this.buildBlock(document_));
    }
    return this.blocks.get(document_.kind);
  }

  buildIntro() {
    const intro = element('div', 'upload-intro');
    const warning = element('p', 'notice warn');
    warning.id = 'upload-my-number';
    warning.append(
      element('strong', '', 'マイナンバー（個人番号）が写らないようにしてください。'),
      element('br'),
      'マイナンバーが記載された書類は、その部分を紙などで隠してから撮影してください。',
    );
    const check = element('label', 'check');
    const box = element('input');
    box.type = 'checkbox';
    box.id = 'upload-my-number-checked';
    box.setAttribute('aria-describedby', 'upload-my-number');
    check.append(box, ' マイナンバーが写っていないことを確認しました');
    const error = element('p', 'error');
    error.id = 'upload-my-number-checked-error';
    error.hidden = true;
    box.addEventListener('change', () => {
      if (box.checked) {
        error.hidden = true;
        box.removeAttribute('aria-invalid');
      }
    });
    const live = element('p', 'visually-hidden');
    live.setAttribute('aria-live', 'polite');
    live.id = 'upload-live';
    intro.append(warning, check, error, element('p', 'help upload-limits'), live);
    this.confirmation = box;
    this.confirmationError = error;
    this.live = live;
    return intro;
  }

  /** True when the My Number box is ticked; else says so at the box and moves focus there. */
  confirmed() {
    if (this.confirmation.checked) {
      return true;
    }
    this.confirmationError.textContent = '書類を選ぶ前に、マイナンバーが写っていないことを確認してチェックを入れてください。';
    this.confirmationError.hidden = false;
    this.confirmation.setAttribute('aria-invalid', 'true');
    this.confirmation.setAttribute('aria-describedby', 'upload-my-number upload-my-number-checked-error');
    this.confirmation.focus();
    return false;
  }

  buildBlock(document_) {
    const root = element('div', 'uploads');
    const list = element('ul', 'upload-list');
    const error = element('p', 'error');
    error.hidden = true;
    error.id = `upload-${document_.kind}-error`;
    root.append(list, error);
    const block = { root, list, error, label: document_.label, input: null };
    if (!this.readOnly) {
      const chooser = element('label', 'upload-choose');
      const input = element('input', 'visually-hidden');
      input.type = 'file';
      // No `capture`: phones then offer the camera and the photo library alike.
      input.accept = 'image/jpeg,image/png,application/pdf';
      input.id = `upload-${document_.kind}`;
      input.setAttribute('aria-describedby', error.id);
      chooser.append(element('span', 'visually-hidden', `${document_.label}：`), '写真を撮る・ファイルを選ぶ', input);
      input.addEventListener('click', (event) => {
        if (!this.confirmed()) event.preventDefault();
      });
      input.addEventListener('change', () => {
        const files = [...input.files];
        input.value = '';
        if (!this.confirmed()) return;
        this.showError(document_.kind, '');
        for (const file of files) new Upload(this, document_.kind).send(file);
      });
      root.append(chooser);
      block.input = input;
    }
    return block;
  }

  showError(kind, message) {
    const { error } = this.blocks.get(kind);
    error.textContent = message;
    error.hidden = !message;
    if (message) this.announce(message);
  }

  /** Says `message` through the live region; emptied first so that a repeat is read again. */
  announce(message) {
    this.live.textContent = '';
    requestAnimationFrame(() => {
      this.live.textContent = message;
    });
  }
}

/** One file of one document: prepared, sent, checked; retried or deleted. */
class Upload {
  constructor(uploads, kind) {
    this.uploads = uploads;
    this.kind = kind;
    this.block = uploads.blocks.get(kind);
    this.id = null;
    this.target = null;
    this.item = element('li', 'upload');
    this.thumb = element('span', 'thumb');
    this.name = element('p', 'upload-name');
    this.progress = element('progress');
    this.progress.max = 100;
    this.progress.value = 0;
    this.status = element('p', 'upload-status');
    this.retry = button('再試行', () => this.send());
    this.remove = button('削除', () => this.delete());
    const body = element('div', 'upload-body');
    const actions = element('div', 'upload-actions');
    actions.append(this.retry, this.remove);
    body.append(this.name, this.progress, this.status, actions);
    this.item.append(this.thumb, body);
    this.retry.hidden = true;
    this.remove.hidden = uploads.readOnly;
  }

  /** A file the API lists: named, with a link to it; no thumbnail (it is not on this device). */
  showStored(stored) {
    this.id = stored.id;
    this.fileName = stored.fileName;
    this.contentType = stored.contentType;
    this.size = stored.size;
    this.showName();
    this.thumb.textContent = stored.contentType === PDF ? 'PDF' : '画像';
    this.thumb.classList.add('label');
    this.progress.hidden = true;
    this.status.textContent = '送信済み';
    if (stored.refusalReason) {
      // The union found it 不備: say why, so the person sends another in its place.
      this.status.textContent = `組合から不備の連絡があります：${stored.refusalReason}　別のファイルを送り直してください。`;
      this.status.classList.add('error');
    }
    this.setLabels();
    this.block.list.append(this.item);
  }

  showName() {
    const link = element('a', '', this.fileName);
    link.href = `${this.uploads.base}/${this.id}`;
    link.target = '_blank';
    link.rel = 'noopener';
    this.name.replaceChildren(this.id ? link : this.fileName, `（${megabytes(this.size)}）`);
  }

  setLabels() {
    this.progress.setAttribute('aria-label', `${this.fileName}の送信状況`);
    this.retry.setAttribute('aria-label', `${this.fileName}を再試行`);
    this.remove.setAttribute('aria-label', `${this.fileName}を削除`);
  }

  /** Prepares `file` (first time) and sends it; without `file`, sends the prepared one again. */
  async send(file) {
    await this.uploads.loaded;
    if (file && !(await this.prepare(file))) {
      return;
    }
    this.retry.hidden = true;
    this.remove.disabled = true;
    this.progress.hidden = false;
    this.progress.value = 0;
    this.status.textContent = '送信の準備中…';
    this.item.setAttribute('aria-busy', 'true');
    try {
      if (!this.upload || Date.parse(this.upload.expiresAt) - Date.now() < 10_000) {
        if (!(await this.create())) return;
      }
      const sent = await this.put();
      if (!sent) {
        this.failed(SEND_FAILED);
        return;
      }
      const result = await api('POST', `${this.uploads.base}/${this.id}/complete`, {});
      if (result.status === 422) {
        this.refused(result.message);
      } else if (!result.ok) {
        this.failed(result.message);
      } else {
        this.accepted(result.data);
      }
    } finally {
      this.item.removeAttribute('aria-busy');
      this.remove.disabled = false;
    }
  }

  /** The blob to send: a scaled JPEG for an image, the PDF as it is; false when refused here. */
  async prepare(file) {
    const limits = this.uploads.limits;
    const isPdf = file.type === PDF || (!file.type && /\.pdf$/i.test(file.name));
    if (isPdf) {
      this.blob = file;
      this.contentType = PDF;
      this.fileName = file.name;
    } else {
      let bitmap;
      try {
        bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      } catch {
        this.uploads.showError(this.kind, `${file.name}：${UNDECODABLE}`);
        return false;
      }
      this.blob = await scaledJpeg(bitmap);
      this.contentType = 'image/jpeg';
      this.fileName = `${file.name.replace(/\.[^.]*$/, '') || '写真'}.jpg`;
      this.thumb.replaceChildren();
      const image = element('img');
      image.alt = '';
      image.src = URL.createObjectURL(this.blob);
      this.thumb.append(image);
    }
    this.size = this.blob.size;
    if (limits && this.size > limits.maxFileBytes) {
      this.uploads.showError(this.kind, `${file.name}：ファイルが大きすぎます。1ファイル${megabytes(limits.maxFileBytes)}までです。`);
      return false;
    }
    if (isPdf) {
      this.thumb.textContent = 'PDF';
      this.thumb.classList.add('label');
    }
    this.showName();
    this.setLabels();
    this.block.list.append(this.item);
    return true;
  }

  /** A new upload from the API (a first one, or after the last one's URL expired). */
  async create() {
    if (this.id) {
      // The expired one was never completed; the API forgets it.
      await api('DELETE', `${this.uploads.base}/${this.id}`);
    }
    const result = await api('POST', this.uploads.base, {
      kind: this.kind,
      fileName: this.fileName,
      contentType: this.contentType,
      size: this.size,
      myNumberChecked: this.uploads.confirmation.checked,
    });
    if (!result.ok) {
      this.id = null;
      this.upload = null;
      const fieldMessages = Object.values(result.fields || {});
      this.discard();
      this.uploads.showError(this.kind, `${this.fileName}：${fieldMessages.length ? fieldMessages.join(' ') : result.message}`);
      return false;
    }
    this.id = result.data.id;
    this.upload = result.data.upload;
    return true;
  }

  /** Sends the blob to the upload URL, showing the progress; true when stored. */
  put() {
    const { method, url, headers } = this.upload;
    return new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      for (const [name, value] of Object.entries(headers || {})) {
        request.setRequestHeader(name, value);
      }
      request.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) {
          const percent = Math.floor((event.loaded / event.total) * 100);
          this.progress.value = percent;
          this.status.textContent = `送信中 ${percent}%`;
        }
      });
      request.addEventListener('load', () => {
        const stored = request.status >= 200 && request.status < 300;
        if (!stored) this.upload = null; // refused (expired, say): a new URL next time
        resolve(stored);
      });
      request.addEventListener('error', () => resolve(false));
      request.addEventListener('timeout', () => resolve(false));
      request.send(this.blob);
    });
  }

  accepted(stored) {
    this.id = stored.id;
    this.fileName = stored.fileName;
    this.size = stored.size;
    this.upload = null;
    this.progress.value = 100;
    this.status.textContent = '送信しました';
    this.showName();
    this.uploads.announce(`${this.block.label}：${this.fileName}を送信しました。`);
  }

  failed(message) {
    this.status.textContent = message;
    this.retry.hidden = false;
    this.uploads.announce(`${this.fileName}：${message}`);
  }

  /** Refused by the API's check: the file is gone there, so it goes here too, with the reason. */
  refused(message) {
    this.id = null;
    this.discard();
    this.uploads.showError(this.kind, `${this.fileName}：${message}`);
  }

  async delete() {
    if (this.id) {
      this.remove.disabled = true;
      const result = await api('DELETE', `${this.uploads.base}/${this.id}`);
      this.remove.disabled = false;
      if (!result.ok && result.status !== 404) {
        this.uploads.showError(this.kind, result.message);
        return;
      }
    }
    const name = this.fileName;
    this.discard();
    this.uploads.announce(`${name}を削除しました。`);
    this.block.input?.focus();
  }

  discard() {
    const image = this.thumb.querySelector('img');
    if (image) URL.revokeObjectURL(image.src);
    this.item.remove();
  }
}

/** The bitmap at most LONG_EDGE_MAX px on its long edge, as a JPEG. */
async function scaledJpeg(bitmap) {
  const scale = Math.min(1, LONG_EDGE_MAX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const context = canvas.getContext('2d');
  // A transparent PNG would otherwise turn black in JPEG.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
}

function element(name, className = '', text = '') {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function button(text, onClick) {
  const node = element('button', 'link', text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}
