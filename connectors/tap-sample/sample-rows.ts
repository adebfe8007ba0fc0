/**
 * Deterministic sample data: row `index` of a stream is always the same, so
 * a resumed run and a fresh one can be compared value by value.
 */

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia", "Tim"];
const LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie", "Perlman", "Berners-Lee"];
const CITIES = ["Zürich", "São Paulo", "Kraków", "Tōkyō", "Montréal", "Reykjavík", "Nairobi", "Auckland"];
const PRODUCTS = ["keyboard", "monitor", "cable", "dock", "headset", "webcam", "mouse", "chair"];
const BASE_TIME = Date.UTC(2024, 0, 1);

/** A small, fast, deterministic pseudo-random number in [0, 1) for (seed, index, salt). */
function noise(seed: number, index: number, salt: number): number {
  let x = (Math.imul(seed, 0x9e3779b1) + Math.imul(index, 0x85ebca6b) + Math.imul(salt, 0xc2b2ae35)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 0x100000000;
}

function pick<T>(items: readonly T[], value: number): T {
  return items[Math.floor(value * items.length)] as T;
}

export function userRow(seed: number, index: number): Record<string, unknown> {
  const first = pick(FIRST_NAMES, noise(seed, index, 1));
  const last = pick(LAST_NAMES, noise(seed, index, 2));
  return {
    id: index + 1,
    name: `${first} ${last}`,
    email: `${first}.${last}.${index + 1}@example.com`.toLowerCase(),
    score: Math.round(noise(seed, index, 3) * 10000) / 100,
    active: noise(seed, index, 4) < 0.8,
    signed_up_at: new Date(BASE_TIME + Math.floor(noise(seed, index, 5) * 365 * 86400) * 1000).toISOString(),
    city: pick(CITIES, noise(seed, index, 6)),
    tags: noise(seed, index, 7) < 0.5 ? ["beta"] : [],
    address: { street: `${index + 1} Main Street`, zip: String(10000 + Math.floor(noise(seed, index, 8) * 89999)) },
    referrer_id: noise(seed, index, 9) < 0.3 ? null : Math.floor(noise(seed, index, 10) * (index + 1)) + 1,
  };
}

export function orderRow(seed: number, index: number, users: number): Record<string, unknown> {
  const quantity = 1 + Math.floor(noise(seed, index, 11) * 5);
  const unitPrice = Math.round((5 + noise(seed, index, 12) * 495) * 100) / 100;
  return {
    id: index + 1,
    user_id: 1 + Math.floor(noise(seed, index, 13) * Math.max(1, users)),
    product: pick(PRODUCTS, noise(seed, index, 14)),
    quantity,
    unit_price: unitPrice,
    total: Math.round(quantity * unitPrice * 100) / 100,
    ordered_at: new Date(BASE_TIME + index * 60_000).toISOString(),
    note: noise(seed, index, 15) < 0.1 ? "gift — wrap it 🎁" : null,
  };
}
