/** Word lists the catalog generator draws names and titles from. Plain, made-up combinations. */

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Alice', 'Amara', 'Anders', 'Aoife', 'Arjun', 'Beatrix', 'Benedict', 'Camille', 'Carlos', 'Chen',
  'Clara', 'Dara', 'David', 'Delia', 'Dmitri', 'Eamon', 'Edith', 'Elena', 'Elias', 'Emeka', 'Esme', 'Farah',
  'Felix', 'Freya', 'Gabriel', 'Greta', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonah', 'Julia', 'Kaito', 'Kamala',
  'Lars', 'Leila', 'Lena', 'Luca', 'Mae', 'Malik', 'Maren', 'Mateo', 'Mira', 'Nadia', 'Nell', 'Niamh',
  'Noor', 'Olga', 'Omar', 'Oscar', 'Paloma', 'Pavel', 'Priya', 'Quinn', 'Rafael', 'Rosa', 'Ruth', 'Sami',
  'Sara', 'Silas', 'Sofia', 'Tariq', 'Tess', 'Theo', 'Uma', 'Vera', 'Viktor', 'Wren', 'Yara', 'Yusuf', 'Zora',
];

export const LAST_NAMES = [
  'Abbott', 'Achebe', 'Alvarez', 'Andersen', 'Baker', 'Banerjee', 'Barros', 'Bell', 'Berg', 'Brennan', 'Calloway',
  'Castillo', 'Chandra', 'Clarke', 'Costa', 'Dahl', 'Delacroix', 'Devlin', 'Dubois', 'Eriksen', 'Esposito',
  'Fairfax', 'Ferreira', 'Fischer', 'Fong', 'Garcia', 'Gallagher', 'Greene', 'Haddad', 'Hale', 'Hartmann',
  'Holm', 'Ibarra', 'Ito', 'Jansen', 'Jovanovic', 'Kahn', 'Kapoor', 'Keller', 'Kowalski', 'Laine', 'Larsen',
  'Lindqvist', 'Lowell', 'Maddox', 'Marchetti', 'Mendes', 'Moreau', 'Nakamura', 'Novak', 'Nwosu', 'Okafor',
  'Olsen', 'Ortega', 'Park', 'Petrov', 'Quinlan', 'Rahman', 'Reyes', 'Rossi', 'Sato', 'Schneider', 'Silva',
  'Sorensen', 'Stone', 'Tanaka', 'Thorne', 'Ulrich', 'Varga', 'Vance', 'Weiss', 'Whitlock', 'Yilmaz', 'Zeller',
];

export const TITLE_ADJECTIVES = [
  'Silent', 'Hidden', 'Last', 'Burning', 'Quiet', 'Broken', 'Golden', 'Distant', 'Forgotten', 'Wild', 'Salt',
  'Paper', 'Winter', 'Summer', 'Crimson', 'Hollow', 'Bright', 'Lost', 'Iron', 'Glass', 'Velvet', 'Northern',
  'Secret', 'Restless', 'Midnight', 'Long', 'Little', 'Second', 'Sleeping', 'Shifting',
];

export const TITLE_NOUNS = [
  'Harbor', 'Garden', 'River', 'Orchard', 'Kingdom', 'Letters', 'Lighthouse', 'Mountain', 'Archive', 'Daughter',
  'Map', 'Station', 'Island', 'Forest', 'Cartographer', 'Choir', 'Library', 'Season', 'Engine', 'Tide',
  'Bridge', 'Promise', 'Storm', 'Cathedral', 'Voyage', 'Witness', 'Clockmaker', 'Meadow', 'Comet', 'Shore',
];

export const TITLE_PLACES = [
  'Lisbon', 'the North Sea', 'Marrakesh', 'the Valley', 'Kyoto', 'the Steppe', 'Galway', 'the Delta', 'Prague',
  'the Fens', 'Oaxaca', 'the Coast', 'Tromsø', 'the Old Town', 'Zanzibar', 'the Highlands',
];

export const DESCRIPTION_OPENINGS = [
  'A sweeping story of', 'An intimate portrait of', 'A tense, funny account of', 'A lyrical meditation on',
  'A page-turning tale of', 'A clear-eyed history of', 'A tender novel about', 'A bold retelling of',
];

export const DESCRIPTION_SUBJECTS = [
  'two sisters and the house they cannot leave', 'a town that keeps its secrets', 'the people who built a railway',
  'a friendship tested by war', 'one summer that changed everything', 'a detective with nothing left to lose',
  'the science of how we remember', 'a family crossing an ocean', 'a kingdom on the edge of ruin',
  'a child who talks to the sea', 'the long fight for a fair vote', 'a chef who cooks her way home',
];

export const CITIES = [
  ['Springfield', 'IL'], ['Portland', 'OR'], ['Austin', 'TX'], ['Madison', 'WI'], ['Asheville', 'NC'],
  ['Boulder', 'CO'], ['Savannah', 'GA'], ['Burlington', 'VT'], ['Tucson', 'AZ'], ['Ithaca', 'NY'],
] as const;

export const STREETS = ['Maple Ave', 'Oak St', 'Harbor Rd', 'Mill Lane', 'Elm Court', 'Cedar Way', 'Lake Dr', 'Pine St'];
