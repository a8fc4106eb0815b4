// The 調査票's answers: read from the form as the API's JSON, written back into it, and told
// back as (term, description) rows. The choices' words are the form's own (portal.html), so each
// is written once.

import { longDate } from './survey.js';

const DAILY_BENEFITS = new Set(['unemployment_benefit', 'sickness_benefit', 'maternity_benefit']);
const GROUPED = new Intl.NumberFormat('ja-JP');

/** 150000 → 150,000円 */
export function yen(amount) {
  return `${GROUPED.format(amount)}円`;
}

/**
 * Whole yen as typed (「150,000」「１５００００円」) as a number; anything else as typed, for the
 * API to refuse in its own words; null when empty.
 */
function readYen(text) {
  const plain = text.normalize('NFKC').replace(/[,\s円]/g, '');
  if (!plain) {
    return null;
  }
  return /^\d{1,15}$/.test(plain) ? Number(plain) : text;
}

/** A whole number as typed (a school year), or the text as typed; null when empty. */
function readWhole(text) {
  const plain = text.normalize('NFKC').trim();
  if (!plain) {
    return null;
  }
  return /^\d{1,6}$/.test(plain) ? Number(plain) : plain;
}

/** The object without its unanswered parts, or null when nothing is left. */
function answered(object) {
  const kept = Object.entries(object).filter(([, value]) => value !== null && value !== undefined);
  return kept.length ? Object.fromEntries(kept) : null;
}

/** The form's controls by what they answer. */
export class AnswersForm {
  constructor(form, template) {
    this.form = form;
    this.template = template;
    this.incomes = form.querySelector('#answers-incomes');
    this.correctionsWanted = form.querySelector('#answers-corrections-wanted');
    // Amounts are shown grouped by thousands once typed; they are read back as whole yen.
    form.addEventListener('focusout', (event) => {
      if (event.target.matches('[data-yen]')) {
        const amount = readYen(event.target.value);
        if (typeof amount === 'number') {
          event.target.value = GROUPED.format(amount);
        }
      }
    });
    form.querySelector('#answers-incomes-add').addEventListener('click', () => {
      this.addIncome().querySelector('select').focus();
    });
    form.addEventListener('change', (event) => {
      if (event.target.name === 'incomes.any' && event.target.value === 'some' && !this.incomes.children.length) {
        this.addIncome();
      }
      this.applyConditions();
    });
  }

  choice(name) {
    return this.form.elements.namedItem(name).value || null;
  }

  text(id) {
    return this.form.querySelector(`#answers-${id}`).value.trim() || null;
  }

  /** Whether the person lives apart for a reason other than the insured person's 単身赴任. */
  remitted() {
    return this.choice('living') === 'apart' && this.choice('apartReason') !== 'work';
  }

  /** Shows only the questions that the answers so far make apply. */
  applyConditions() {
    const applies = {
      apart: this.choice('living') === 'apart',
      student: this.choice('occupation') === 'student',
      incomes: this.choice('incomes.any') === 'some',
      abroad: this.choice('residence') === 'abroad',
      remove: this.choice('continuation') === 'remove',
    };
    for (const part of this.form.querySelectorAll('[data-when]')) {
      part.hidden = !applies[part.dataset.when];
    }
    this.form.querySelector('#answers-corrections').hidden = !this.correctionsWanted.checked;
  }

  /** The answers as the API takes them: only what applies, unanswered parts left out. */
  read() {
    const choice = (name) => this.choice(name);
    const text = (id) => this.text(id);
    const apart = choice('living') === 'apart';
    const answers = {
      corrections: this.correctionsWanted.checked
        ? answered({
            name: text('corrections-name'),
            nameKana: text('corrections-nameKana'),
            birthDate: text('corrections-birthDate'),
            sex: choice('corrections.sex'),
          })
        : null,
      living: choice('living'),
      apartReason: apart ? choice('apartReason') : null,
      apartAddress: apart
        ? answered({ postalCode: text('apartAddress-postalCode'), address: text('apartAddress-address') })
        : null,
      occupation: choice('occupation'),
      school:
        choice('occupation') === 'student'
          ? answered({ name: text('school-name'), year: readWhole(this.text('school-year') || '') })
          : null,
      incomes: this.readIncomes(),
      disabled: this.form.querySelector('#answers-disabled').checked || null,
      remittance: this.remitted()
        ? answered({
            monthlyAmount: readYen(this.text('remittance-monthlyAmount') || ''),
            method: choice('remittance.method'),
            since: text('remittance-since'),
          })
        : null,
      otherInsurance: choice('otherInsurance'),
      residence: choice('residence'),
      abroadException: choice('residence') === 'abroad' ? choice('abroadException') : null,
      continuation: choice('continuation'),
      removal:
        choice('continuation') === 'remove'
          ? answered({ date: text('removal-date'), reason: choice('removal.reason'), detail: text('removal-detail') })
          : null,
    };
    return answered(answers) || {};
  }

  /** [] is the answer 収入なし; income chosen but no line yet is no answer. */
  readIncomes() {
    const any = this.choice('incomes.any');
    if (any === 'none') {
      return [];
    }
    if (any !== 'some' || !this.incomes.children.length) {
      return null;
    }
    return [...this.incomes.children].map((line) => {
      const input = (part) => line.querySelector(`[data-input="${part}"]`);
      return {
        kind: input('kind').value || null,
        amount: readYen(input('amount').value),
        per: input('per').value,
      };
    });
  }

  /** Puts `answers` (as the API stores them) into the form, replacing whatever it held. */
  fill(answers) {
    this.form.reset();
    this.incomes.replaceChildren();
    const set = (id, value) => {
      this.form.querySelector(`#answers-${id}`).value = value ?? '';
    };
    const check = (name, value) => {
      if (value !== undefined && value !== null) {
        this.form.elements.namedItem(name).value = String(value);
      }
    };
    const { corrections = {}, apartAddress = {}, school = {}, remittance = {}, removal = {} } = answers;
    this.correctionsWanted.checked = Boolean(answers.corrections);
    set('corrections-name', corrections.name);
    set('corrections-nameKana', corrections.nameKana);
    set('corrections-birthDate', corrections.birthDate);
    check('corrections.sex', corrections.sex);
    check('living', answers.living);
    check('apartReason', answers.apartReason);
    set('apartAddress-postalCode', apartAddress.postalCode);
    set('apartAddress-address', apartAddress.address);
    check('occupation', answers.occupation);
    set('school-name', school.name);
    set('school-year', school.year);
    if (answers.incomes) {
      check('incomes.any', answers.incomes.length ? 'some' : 'none');
      for (const line of answers.incomes) {
        this.addIncome(line);
      }
    }
    this.form.querySelector('#answers-disabled').checked = answers.disabled === true;
    set('remittance-monthlyAmount', remittance.monthlyAmount === undefined ? '' : GROUPED.format(remittance.monthlyAmount));
    check('remittance.method', remittance.method);
    set('remittance-since', remittance.since);
    check('otherInsurance', answers.otherInsurance);
    check('residence', answers.residence);
    check('abroadException', answers.abroadException);
    check('continuation', answers.continuation);
    set('removal-date', removal.date);
    check('removal.reason', removal.reason);
    set('removal-detail', removal.detail);
    this.applyConditions();
  }

  /** A new income line at the end of the list, filled with `line` when given. */
  addIncome(line) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    const kind = item.querySelector('[data-input="kind"]');
    const per = item.querySelector('[data-input="per"]');
    kind.addEventListener('change', () => allowedPer(kind, per));
    item.querySelector('[data-remove]').addEventListener('click', () => {
      item.remove();
      this.numberIncomes();
      this.form.querySelector('#answers-incomes-add').focus();
    });
    if (line) {
      kind.value = line.kind;
      allowedPer(kind, per);
      per.value = line.per;
      item.querySelector('[data-input="amount"]').value = GROUPED.format(line.amount);
    } else {
      allowedPer(kind, per);
    }
    this.incomes.append(item);
    this.numberIncomes();
    return item;
  }

  /** Ids, labels and JSON paths of the income lines, in their order. */
  numberIncomes() {
    [...this.incomes.children].forEach((item, index) => {
      item.dataset.path = `incomes[${index}]`;
      for (const part of item.querySelectorAll('[data-part]')) {
        const name = part.dataset.part;
        const input = part.querySelector('[data-input]');
        part.dataset.path = `incomes[${index}].${name}`;
        input.id = `answers-incomes-${index}-${name}`;
        part.querySelector('label').htmlFor = input.id;
        part.querySelector('.error').id = `${input.id}-error`;
      }
      item.querySelector('[data-remove]').textContent = `この収入（${index + 1}件目）を削除する`;
    });
  }

  /** The words of a choice as the form shows them. */
  label(name, value) {
    const input = this.form.querySelector(`input[name="${name}"][value="${CSS.escape(value)}"]`);
    return input ? input.closest('label').textContent.trim() : value;
  }

  /** (term, description) rows of `answers`, in the form's order, for what was answered. */
  summary(answers) {
    const rows = [];
    const add = (term, description) => {
      if (description) rows.push([term, description]);
    };
    const choice = (term, name, value) => add(term, value ? this.label(name, value) : null);
    const { corrections, apartAddress, school, remittance, removal } = answers;
    if (corrections) {
      add('訂正後の氏名', corrections.name);
      add('訂正後のフリガナ', corrections.nameKana);
      add('訂正後の生年月日', corrections.birthDate && longDate(corrections.birthDate));
      add('訂正後の性別', corrections.sex);
    }
    choice('同居・別居', 'living', answers.living);
    choice('別居の理由', 'apartReason', answers.apartReason);
    if (apartAddress) {
      add('別居先の住所', [apartAddress.postalCode && `〒${apartAddress.postalCode}`, apartAddress.address].filter(Boolean).join(' '));
    }
    choice('職業', 'occupation', answers.occupation);
    if (school) {
      add('学校', [school.name, school.year && `${school.year}年生`].filter(Boolean).join(' '));
    }
    if (answers.incomes) {
      add('収入の見込み', answers.incomes.length ? this.incomeList(answers.incomes) : '収入なし');
    }
    if (answers.disabled) {
      add('障害', this.form.querySelector('#answers-disabled').closest('label').textContent.trim());
    }
    if (remittance) {
      add('仕送りの月額', remittance.monthlyAmount !== undefined && yen(remittance.monthlyAmount));
      choice('仕送りの方法', 'remittance.method', remittance.method);
      add('仕送りを始めた年月', remittance.since && longMonth(remittance.since));
    }
    choice('ほかの健康保険', 'otherInsurance', answers.otherInsurance);
    choice('お住まい', 'residence', answers.residence);
    choice('海外に住んでいる理由', 'abroadException', answers.abroadException);
    choice('今後の扶養', 'continuation', answers.continuation);
    if (removal) {
      add('扶養から外れる日', removal.date && longDate(removal.date));
      choice('扶養から外れる理由', 'removal.reason', removal.reason);
      add('詳細', removal.detail);
    }
    return rows;
  }

  /** The income lines as a list: 老齢年金 150,000円（月額）. */
  incomeList(incomes) {
    const options = this.template.content;
    const word = (part, value) => options.querySelector(`[data-input="${part}"] option[value="${CSS.escape(value)}"]`)?.textContent ?? value;
    const list = document.createElement('ul');
    list.className = 'plain';
    for (const line of incomes) {
      const item = document.createElement('li');
      item.textContent = `${word('kind', line.kind)} ${yen(line.amount)}（${word('per', line.per)}）`;
      list.append(item);
    }
    return list;
  }
}

/** Only 日額 for the benefits the handbook asks per day, 月額 or 年額 for the rest. */
function allowedPer(kind, per) {
  const daily = DAILY_BENEFITS.has(kind.value);
  for (const option of per.options) {
    const allowed = (option.value === 'day') === daily;
    option.disabled = !allowed;
    option.hidden = !allowed;
  }
  if (per.selectedOptions[0]?.disabled !== false) {
    per.value = [...per.options].find((option) => !option.disabled).value;
  }
}

/** YYYY-MM → YYYY年M月 */
function longMonth(iso) {
  const [year, month] = iso.split('-').map(Number);
  return `${year}年${month}月`;
}
