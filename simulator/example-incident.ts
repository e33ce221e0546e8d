/**
 * The example incident from the project seed (`example-incident.json`: incident 123456 of company
 * 12345). It is the oldest, smallest shape of the details object (no scan_result, no body fields).
 * Kept verbatim, including the seed's lost-backslash escapes ("pers00f6nliche").
 */
export const EXAMPLE_INCIDENT_ID = 123456;
export const EXAMPLE_COMPANY_ID = 12345;

export const EXAMPLE_INCIDENT_JSON = `
{
  "company_id": 12345,
  "company_name": "company1",
  "incident_id": 123456,
  "classification": "Attack",
  "first_reported_by": "test person",
  "first_reported_date": "2023-07-04T09:29:29.317504Z",
  "affected_mailbox_count": 2,
  "sender_reputation": "low",
  "banner_displayed": "First Time Sender",
  "sender_email": "test-onsite@dialog.kern-sohn.com",
  "reply_to": "test-onsite@kern-sohn.com",
  "spf_result": "pass",
  "sender_is_internal": false,
  "themis_proba": 0.66,
  "themis_verdict": "Phishing",
  "mail_server": {
    "host": "demo.sendnode.com",
    "ip": "111.11.111.11"
  },
  "federation": {
    "companies_affected": 0,
    "companies_marked_phishing": 0,
    "companies_marked_spam": 0,
    "companies_marked_fp": 0,
    "companies_unclassified": 0,
    "phishing_ratio": null
  },
  "reports": [
    {
      "name": "abcd",
      "email": "test.hans@ch.test.com",
      "subject": "[EXT] Ihre pers00f6nliche, H00e4berle!",
      "sender_email": "test-onsite@dialog.com",
      "mail_server": {
        "host": "mda33e.test.com",
        "ip": "111.11.111.62"
      },
      "headers": [
        {
          "name": "Received",
          "value": "from E456TGFE.eurprd01.prod.labs.com (2603:10a6:20b:4f5::22) by HGFDEW345678.eurprd01.prod.testlabs.com with HTTPS; Tue, 4 Jul 2023 09:22:38 +0000"
        }
      ]
    }
  ],
  "links": [
    {
      "url": "https://test.kern-sohn.com/-link2/21808/1912/10/185/577/MyiC5rLm/vPDkGTRThD/0/NTc3/TXlpQzVyTG0./dlBEa0dUUlRoRA../~?mc_phishing_protection_id=28398-cihu9n1tdqlcnmf2i590",
      "name": "Im Test 00f6ffnen"
    },
    {
      "url": "https://dialog.kern-sohn.com/-link2/21808/1912/30/215/577/MyiC5rLm/vPDkGTRThD/0?mc_phishing_protection_id=28398-cihu9n1tdqlcnmf2i590",
      "name": "Datenschutz"
    }
  ],
  "attachments": [
    {
      "file_name": "image001.jpg",
      "file_size": 80630,
      "md5": "9caf02efad784208ccbeb99475ec20cd"
    },
    {
      "file_name": "image002.jpg",
      "file_size": 91938,
      "md5": "551729e2e709e172d71f0bc8b5561ef4"
    }
  ]
}
`;

/** A fresh deep copy of the example details object. */
export function exampleIncidentDetails(): Record<string, unknown> {
  return JSON.parse(EXAMPLE_INCIDENT_JSON) as Record<string, unknown>;
}
