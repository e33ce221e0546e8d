/**
 * Word lists the generators draw from: names, brands, subjects, sentences, tags. Plain data, kept
 * apart so the generators read as logic.
 */
import type { Rng } from './prng.js';

export type Name = readonly [display: string, ascii: string];
export const FIRST_NAMES: readonly Name[] = [
  ['Anna', 'anna'], ['Jürgen', 'juergen'], ['Zoë', 'zoe'], ['Søren', 'soeren'], ['François', 'francois'],
  ['María', 'maria'], ['Mehmet', 'mehmet'], ['Priya', 'priya'], ['Wei', 'wei'], ['Yuki', 'yuki'],
  ['John', 'john'], ['Olga', 'olga'], ['Björn', 'bjoern'], ['Chloé', 'chloe'], ['Ahmed', 'ahmed'],
  ['Lena', 'lena'], ['Tomás', 'tomas'], ['Aiko', 'aiko'], ['Noah', 'noah'], ['Emma', 'emma'],
  ['Łukasz', 'lukasz'], ['Inês', 'ines'], ['Hans', 'hans'], ['Sarah', 'sarah'], ['David', 'david'],
];
export const LAST_NAMES: readonly Name[] = [
  ['Müller', 'mueller'], ['Schröder', 'schroeder'], ['Jensen', 'jensen'], ['García', 'garcia'],
  ['Dubois', 'dubois'], ['Yılmaz', 'yilmaz'], ['Sharma', 'sharma'], ['Zhang', 'zhang'], ['Tanaka', 'tanaka'],
  ['Smith', 'smith'], ['Ivanova', 'ivanova'], ['Nowak', 'nowak'], ["O'Brien", 'obrien'], ['Rossi', 'rossi'],
  ['Kowalski', 'kowalski'], ['Lindqvist', 'lindqvist'], ['Haddad', 'haddad'], ['Nguyen', 'nguyen'],
  ['Brown', 'brown'], ['Weiß', 'weiss'], ['Håkansson', 'haakansson'], ['Cohen', 'cohen'],
];
export const FOREIGN_PEOPLE: readonly Name[] = [
  ['山田 太郎', 'yamada.taro'], ['王芳', 'wang.fang'], ['김민준', 'kim.minjun'], ['Дмитрий Соколов', 'd.sokolov'],
  ['José Álvarez', 'jose.alvarez'], ['Ayşe Demir', 'ayse.demir'], ['Nguyễn Văn An', 'nguyen.van.an'],
];
export const FREEMAIL = ['gmail.com', 'outlook.com', 'gmx.de', 'yahoo.co.jp', 'qq.com', 'mail.ru', 'web.de', 'proton.me'];

export interface Brand {
  readonly name: string;
  readonly domains: readonly string[];
  readonly locals: readonly string[];
}
export const BRANDS: readonly Brand[] = [
  { name: 'Microsoft 365', domains: ['m365-account-notice.com', 'outlook-verify-mailbox.info', 'microsoftonline-secure.net'], locals: ['no-reply', 'security', 'postmaster'] },
  { name: 'DocuSign', domains: ['docusign-envelope-review.net', 'docu-sign-mail.com'], locals: ['dse', 'notification'] },
  { name: 'DHL Express', domains: ['dhl-paket-zustellung.de', 'dhl-express-tracking.info'], locals: ['noreply', 'versand'] },
  { name: 'PayPal Kundenservice', domains: ['paypal-kundenservice-de.com', 'paypa1-resolution.com'], locals: ['service', 'konto'] },
  { name: 'Amazon Business', domains: ['amazon-business-billing.net'], locals: ['billing', 'auto-confirm'] },
  { name: 'Sparkasse Online', domains: ['sparkasse-sicherheit-online.de'], locals: ['info', 'sicherheit'] },
  { name: '顺丰速运', domains: ['sf-express-notice.cn'], locals: ['service'] },
  { name: 'Chronopost', domains: ['chronopost-suivi-colis.fr'], locals: ['suivi'] },
  { name: 'WeTransfer', domains: ['wetransfer-files-download.net'], locals: ['noreply'] },
  { name: 'Zoom', domains: ['zoom-recordings-share.us'], locals: ['no-reply'] },
  { name: 'LinkedIn', domains: ['linkedin.com'], locals: ['messages-noreply', 'newsletters-noreply'] },
  { name: 'Mailchimp Newsletter', domains: ['mail.vendor-news.example.net', 'news.saas-weekly.example.org'], locals: ['news', 'hello'] },
];

export const SUBJECTS: readonly string[] = [
  'Action Required: Please Reset Your Password Immediately',
  'Your mailbox has exceeded its storage limit',
  'Invoice #{n} is overdue',
  'Ihre Rechnung für {monthDe} – Kundennummer {n}',
  'Zahlungsbestätigung: Überweisung über {amount} €',
  'Wichtig: Ihr Konto wurde vorübergehend eingeschränkt',
  '[EXT] Ihre persönliche Gehaltsabrechnung {monthDe}',
  'Överföring väntar – bekräfta dina uppgifter',
  '📦 Your parcel could not be delivered',
  'Votre colis est en attente de livraison ✉️',
  '{person} shared "Q{q} Budget.xlsx" with you',
  'DocuSign: Please review and sign the {company} agreement',
  'RE: Urgent wire transfer request',
  'Voicemail received from +1 (555) 01{nn} ☎️',
  'Security alert: unusual sign-in activity detected',
  '您的邮箱密码将于今天过期',
  '【重要】アカウント情報の確認のお願い',
  '[외부] 결제 확인 요청 #{n}',
  'Pago pendiente – factura Nº {n}',
  '🔒 Verify your account within 24 hours',
  'Payroll update: review your direct deposit details',
  'FW: Contract amendment – {company}',
  'Weekly newsletter — {monthEn} edition',
  '🎉 You have won a €500 gift card!',
  'Meeting notes – project kickoff',
  'Ваш аккаунт будет заблокирован через 24 часа',
  'Zoom: You have a new cloud recording available',
  'Ödeme bildirimi: {amount} TL',
];

export const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
export const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const SENTENCES: readonly string[] = [
  'We detected unusual activity on your account and temporarily limited access to protect you.',
  'Please confirm your identity within 24 hours to avoid permanent suspension of your mailbox.',
  'Your invoice is attached. Kindly process the payment before the due date to avoid late fees.',
  'Bitte bestätigen Sie Ihre Zugangsdaten über den untenstehenden Link, um Ihr Konto zu entsperren.',
  'Sehr geehrte Kundin, sehr geehrter Kunde, Ihre Zahlung konnte leider nicht verarbeitet werden.',
  'Nous n’avons pas pu livrer votre colis. Veuillez régler les frais de douane de 1,99 €.',
  'Su factura está disponible. Haga clic en el enlace para descargar el documento PDF.',
  '您的邮箱存储空间已满，请立即验证您的账户以继续接收邮件。',
  'お客様のアカウントで不審なログインが検出されました。下記のリンクから確認してください。',
  'Your shared document is ready to view. Sign in with your corporate credentials to open it.',
  'This message was sent from an external sender. Do not click links unless you trust the sender.',
  'Reply to this email with your mobile number so we can complete the verification process.',
  'The attached remittance advice covers the outstanding balance for last quarter.',
  'Please keep this confidential; I am in a meeting and cannot take calls right now.',
  'Thank you for subscribing to our newsletter. Here are this week’s highlights. 🚀',
  'Ваш пароль истекает сегодня. Обновите его, чтобы сохранить доступ к почте.',
  'Hesabınız askıya alınmak üzere. Lütfen bilgilerinizi güncelleyin.',
  'If you did not request this change, please contact the helpdesk immediately.',
];

export const LINK_NAMES = ['Open document', 'Im Browser öffnen', 'Review now', 'Verify account', 'Unsubscribe', 'Datenschutz', '查看详情', 'Track your parcel', 'Sign in', 'Download PDF', 'Voir le message'];
export const LINK_PATHS = ['login', 'secure/verify', 'auth/session', 'document/view', 'track', 'invoice/download', 'owa/redirect', 'wp-content/plugins/index.php', '-link2/21808/1912'];
/** Where wrapped links lead: the brands' look-alike domains (not LinkedIn's own, not the newsletters'). */
export const PHISHING_DOMAINS: readonly string[] = BRANDS.flatMap((b) => b.domains).filter((d) => d !== 'linkedin.com' && !d.includes('.example.'));
/** Query strings and fragments of wrapped targets, with the characters gateway encodings must carry (%, #, &, non-ASCII). */
export const TARGET_TAILS = ['?id={hex}', '?id={hex}&lang=de-DE', '?next=%2Fportal%2Fhome&id={hex}', '#signin', '?user=anna.müller&ref={hex}', '?case=PP-{n}#details', ''];
/** Link texts showing the genuine site a phishing link pretends to be ({} is where a path may follow). */
export const DISPLAY_DOMAINS = ['www.paypal.com', 'login.microsoftonline.com', 'www.dhl.de', 'www.docusign.com', 'www.amazon.de', 'www.sparkasse.de', 'wetransfer.com', 'zoom.us', 'www.chronopost.fr', 'www.sf-express.com'];
export const GATEWAY_HOSTS = {
  mimecast: ['url.uk.m.mimecastprotect.com', 'url.us.m.mimecastprotect.com', 'url.de.m.mimecastprotect.com', 'security-uk.m.mimecastprotect.com', 'protect-eu.mimecast.com', 'protect-us.mimecast.com'],
  safelinks: ['eur02.safelinks.protection.outlook.com', 'eur03.safelinks.protection.outlook.com', 'nam12.safelinks.protection.outlook.com', 'apc01.safelinks.protection.outlook.com'],
  sophos: ['eu-central-1.protection.sophos.com', 'eu-west-1.protection.sophos.com', 'us-west-2.protection.sophos.com'],
  trendmicro: ['ddec1-0-en-ctp.trendmicro.com', 'cas5-0-urlprotect.trendmicro.com', 'imsva91-ctp.trendmicro.com'],
} as const;
export const LINK_SCAN_RESULTS: readonly (readonly [string | null, number])[] = [['N/A', 3], ['No IOC', 5], ['Mixed Result', 1], [null, 2]];
export const ATTACHMENT_NAMES = ['Invoice_{n}.pdf', 'Rechnung_{n}.zip', 'scan_{n}.html', 'image001.png', 'image002.jpg', 'Remittance_Advice.docm', 'Zahlungsavis_{n}.pdf', '見積書_{n}.xlsx', 'Voicemail_{nn}.wav.htm', 'Bestellübersicht.pdf'];
export const ATTACHMENT_SCAN_RESULTS: readonly (readonly [string | null, number])[] = [['No IOC', 5], ['Malicious', 1], ['N/A', 2], [null, 2]];
export const THREAT_TYPES: readonly (readonly [string, number])[] = [['', 6], ['VIP Impersonation', 1], ['Business Email Compromise', 1], ['Credential Theft', 2], ['Malicious Attachment', 1], ['Brand Impersonation', 1]];
export const RESOLUTION_TAGS = ['Credential Harvesting', 'Malware', 'BEC', 'Marketing', 'Brand Impersonation', 'Reported by VIP'];
export const ADDITIONAL_TAGS = ['VIP', 'Finance', 'HR', 'Executive', 'Campaign'];
export const COMMENTS = [
  'Confirmed phishing, sender domain blocked.',
  'User reported via the Outlook add-in.',
  'Landing page is a credential harvesting kit.',
  'False alarm – newsletter from a known vendor.',
  'Escalated to SOC tier 2.',
  'Domain registered 2 days ago.',
  'Benutzer hat auf den Link geklickt – Passwort zurückgesetzt.',
  '已通知用户，不要点击链接。',
  'Similar campaign seen in federation 🌐',
];
export const ANALYSTS: readonly Name[] = [['Maria Garcia', 'maria.garcia'], ['john .don', 'john.don'], ['Sven Lindqvist', 'sven.lindqvist'], ['SOC Team', 'soc']];
export const CHALLENGE_REASONS = ['This is a legitimate email from our supplier', 'I need this invoice', 'Expected newsletter', 'Not phishing, internal announcement'];
export const MX_HOSTS = ['mail-db5eur03on2071.outbound.protection.outlook.com', 'mx1.smtp-relay.net', 'mta7.sendnode.com', 'out-12.smtp.mailgun-like.net', 'demo.sendnode.com'];
export const EXTRA_FIELD_BUILDERS: readonly ((rng: Rng) => [string, unknown])[] = [
  (rng) => ['ai_triage', { verdict: rng.pick(['malicious', 'suspicious', 'benign']), confidence: Math.round(rng.float() * 100) / 100, model: 'themis-3' }],
  (rng) => ['mitre_techniques', rng.chance(0.5) ? ['T1566.001'] : ['T1566.002', 'T1598.003']],
  (rng) => ['sender_domain_age_days', rng.int(0, 4000)],
  (rng) => ['detection_sources', rng.chance(0.5) ? ['themis', 'federation'] : ['link_scanner']],
  (rng) => ['x_simulated_new_field', rng.chance(0.5) ? null : 'value-' + rng.hex(6)],
];
