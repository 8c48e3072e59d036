-- TheEpicBook: the 54 books of the bundled catalog, generated from db/seed/books.json by `npm run db:export-seeds`.
-- Do not edit by hand. Idempotent: rows that already exist are left exactly as they are.
-- Import after db/schema.sql (or after the app has created the tables):
--   mysql bookstore < db/author_seed.sql && mysql bookstore < db/books_seed.sql

SET NAMES utf8mb4;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT '28 Summers', 'NYT Bestsellers', 2020, 28.00, 4,
  'Over nearly three decades, Mallory Blessing and Jake McCloud meet for a single Labor Day weekend each summer at her Nantucket cottage, even as Jake''s wife pursues a high-profile political career. Hilderbrand threads the music and headlines of each passing year through a bittersweet romance, making this a warm pick for beach-reading season.',
  'Elin Hilderbrand',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Elin' AND a.`lastName` = 'Hilderbrand'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Vanishing Half', 'NYT Bestsellers', 2020, 27.00, 8,
  'Identical twins Desiree and Stella Vignes run away from their small Louisiana hometown as teenagers, and years later one is living as a Black woman while the other secretly passes as white. Spanning several decades and two generations, Brit Bennett''s novel explores identity, family and the lives people choose to hide.',
  'Brit Bennett',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Brit' AND a.`lastName` = 'Bennett'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Room Where It Happened', 'NYT Bestsellers', 2020, 32.50, 7,
  'John Bolton recounts his time as national security adviser in the Trump White House, covering dealings with North Korea, Iran, Russia and other foreign policy flashpoints. Readers curious about how high-level decisions get made, and the clashes behind closed doors, will find a detailed insider''s account here.',
  'John Bolton',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'John' AND a.`lastName` = 'Bolton'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'White Fragility', 'NYT Bestsellers', 2018, 16.00, 4,
  'Drawing on her years as a diversity trainer, Robin DiAngelo examines why many white people react defensively when conversations turn to racism. Her book aims to help readers recognize those reactions and engage more openly and productively in discussions about race.',
  'Robin DiAngelo',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Robin' AND a.`lastName` = 'DiAngelo'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Where the Crawdads Sing', 'NYT Bestsellers', 2018, 26.00, 7,
  'Abandoned by her family as a child, Kya Clark grows up alone in the coastal marshes of North Carolina, where townspeople dismiss her as the Marsh Girl. When a local young man is found dead, suspicion falls on her in this blend of coming-of-age story, nature writing and courtroom drama.',
  'Delia Owens',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Delia' AND a.`lastName` = 'Owens'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Camino Winds', 'NYT Bestsellers', 2020, 28.95, 9,
  'As a hurricane batters Camino Island off the Florida coast, a thriller writer is found dead, and bookseller Bruce Cable suspects the storm was not what killed him. Grisham''s lighthearted follow-up to Camino Island brings back its bookish cast for a breezy mystery full of local color.',
  'John Grisham',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'John' AND a.`lastName` = 'Grisham'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'How to Be an Antiracist', 'NYT Bestsellers', 2019, 27.00, 3,
  'Kendi weaves episodes from his own life together with history and ideas to argue that being antiracist requires active effort rather than simply avoiding racism. Each chapter tackles a different dimension, such as biology, culture or class, offering readers a framework for examining their own beliefs and actions.',
  'Ibram X. Kendi',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Ibram X.' AND a.`lastName` = 'Kendi'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Little Fires Everywhere', 'NYT Bestsellers', 2017, 17.00, 5,
  'In the carefully planned suburb of Shaker Heights, Ohio, the orderly Richardson family becomes entangled with Mia Warren, an artist who arrives with her teenage daughter and a guarded past. A custody fight over a baby divides the town, and Celeste Ng uses it to probe motherhood, privilege and the rules people live by.',
  'Celeste Ng',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Celeste' AND a.`lastName` = 'Ng'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'So You Want to Talk About Race', 'NYT Bestsellers', 2018, 16.99, 2,
  'Ijeoma Oluo offers frank, practical guidance on discussing race, tackling topics such as privilege, police brutality, microaggressions and affirmative action. Written in a direct and often personal voice, it suits readers who want to have honest conversations but are unsure where to begin.',
  'Ijeoma Oluo',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Ijeoma' AND a.`lastName` = 'Oluo'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'To Kill a Mockingbird', 'Classics', 1960, 15.99, 10,
  'Young Scout Finch narrates life in Depression-era Maycomb, Alabama, where her father, the lawyer Atticus Finch, agrees to defend a Black man falsely accused of assaulting a white woman. Harper Lee''s novel pairs childhood curiosity with a community''s deep prejudice, creating a lasting story about conscience and courage.',
  'Harper Lee',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Harper' AND a.`lastName` = 'Lee'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Anne of Green Gables', 'Classics', 1908, 5.99, 8,
  'When aging siblings Marilla and Matthew Cuthbert send for an orphan boy to help on their Prince Edward Island farm, they receive talkative, red-haired Anne Shirley instead. Her vivid imagination and knack for mishaps make this gentle coming-of-age tale a delight for young readers and adults alike.',
  'L. M. Montgomery',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'L. M.' AND a.`lastName` = 'Montgomery'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Call of the Wild', 'Classics', 1903, 12.95, 6,
  'Buck, a big and pampered dog living on a California estate, is stolen and sold into harsh service as a sled dog during the Klondike gold rush. Jack London''s short, vivid adventure follows his struggle to survive in the frozen Yukon and the primal instincts that awaken within him.',
  'Jack London',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Jack' AND a.`lastName` = 'London'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Pride and Prejudice', 'Classics', 1813, 9.00, 9,
  'Lively Elizabeth Bennet, one of five unmarried sisters in a family of modest means, takes an instant dislike to the proud and wealthy Fitzwilliam Darcy. Austen''s sharp wit and keen eye for social manners have kept this story of first impressions and misjudgments delightful for more than two centuries.',
  'Jane Austen',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Jane' AND a.`lastName` = 'Austen'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Great Gatsby', 'Classics', 1925, 17.00, 4,
  'Narrator Nick Carraway moves to Long Island in the summer of 1922 and is drawn into the glittering world of his mysterious, lavishly wealthy neighbor Jay Gatsby. Fitzgerald''s compact, lyrical novel captures the glamour and emptiness of the Jazz Age and the lengths one man will go to for a dream.',
  'F. Scott Fitzgerald',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'F. Scott' AND a.`lastName` = 'Fitzgerald'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Wuthering Heights', 'Classics', 1847, 8.00, 7,
  'Amid the wild Yorkshire moors, the foundling Heathcliff and Catherine Earnshaw form a fierce bond that shapes the fortunes of two families across generations. Told largely through a housekeeper''s recollections, this dark and passionate novel remains one of the most intense love stories in English literature.',
  'Emily Brontë',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Emily' AND a.`lastName` = 'Brontë'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Picture of Dorian Gray', 'Classics', 1890, 6.99, 5,
  'After a portrait captures his youthful beauty, a handsome young man in Victorian London wishes that the painting could age in his place while he stays forever young. Oscar Wilde''s witty, unsettling novel explores vanity, corruption and the hidden cost of a life devoted to pleasure.',
  'Oscar Wilde',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Oscar' AND a.`lastName` = 'Wilde'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Animal Farm', 'Classics', 1945, 18.50, 3,
  'Tired of mistreatment by their drunken farmer, the animals of Manor Farm rebel and set out to build a society in which all are equal. Orwell''s brief, pointed fable about power and propaganda reads quickly yet leaves readers with plenty to think about long afterward.',
  'George Orwell',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'George' AND a.`lastName` = 'Orwell'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Catcher in the Rye', 'Classics', 1951, 9.99, 2,
  'After being expelled from his prep school, sixteen-year-old Holden Caulfield spends a few aimless days wandering New York City before heading home. His restless, sardonic voice has made this novel a touchstone for generations of readers wrestling with growing up and fitting in.',
  'J. D. Salinger',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'J. D.' AND a.`lastName` = 'Salinger'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Giving Tree', 'Children''s Books', 1964, 17.99, 8,
  'This simple picture book follows the lifelong relationship between a boy and an apple tree that gives him everything it can, from shade and fruit to its very branches. Shel Silverstein''s spare line drawings and short text invite conversations about love, generosity and growing older.',
  'Shel Silverstein',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Shel' AND a.`lastName` = 'Silverstein'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Where the Wild Things Are', 'Children''s Books', 1963, 8.95, 9,
  'Banished to bed without supper after making mischief in his wolf suit, Max sails away to an island inhabited by enormous, roaring Wild Things. Maurice Sendak''s celebrated picture book turns a child''s anger and imagination into a wonderfully wild adventure that begs to be read aloud.',
  'Maurice Sendak',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Maurice' AND a.`lastName` = 'Sendak'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Cat in the Hat', 'Children''s Books', 1957, 9.99, 4,
  'On a rainy day when two children are stuck indoors, a tall cat in a striped hat arrives and turns the house upside down with his tricks. Written with a small vocabulary for beginning readers, this bouncy rhyming story makes learning to read feel like play.',
  'Dr. Seuss',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Dr.' AND a.`lastName` = 'Seuss'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Tale of Peter Rabbit', 'Children''s Books', 1902, 7.99, 6,
  'Ignoring his mother''s warning, mischievous Peter Rabbit squeezes under the gate into McGregor''s vegetable garden for a feast and soon finds himself being chased. Beatrix Potter''s delicate watercolor illustrations and small, hand-sized pages have charmed young children for more than a century.',
  'Beatrix Potter',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Beatrix' AND a.`lastName` = 'Potter'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Lion, the Witch and the Wardrobe', 'Children''s Books', 1950, 8.99, 5,
  'Sent to an old professor''s country house to escape the wartime air raids on London, four siblings find a wardrobe that opens into Narnia, a magical land held in endless winter by the White Witch. Lewis blends adventure, talking animals and the noble lion Aslan in a story that has enchanted young readers for generations.',
  'C. S. Lewis',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'C. S.' AND a.`lastName` = 'Lewis'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Charlotte''s Web', 'Children''s Books', 1952, 9.99, 9,
  'Saved as a runt by a girl named Fern, the pig Wilbur later learns he is being fattened for the table, and a clever barn spider named Charlotte devises a plan to save him. White''s tender story about friendship and loyalty has moved readers of every age since it first appeared.',
  'E. B. White',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'E. B.' AND a.`lastName` = 'White'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Where the Sidewalk Ends', 'Children''s Books', 1974, 19.99, 7,
  'This collection gathers more than a hundred funny, silly and sometimes surprisingly thoughtful poems, illustrated with Shel Silverstein''s own quirky line drawings. Characters such as Sarah Cynthia Sylvia Stout, who refuses to take the garbage out, make it a favorite for reading aloud and for coaxing reluctant readers toward poetry.',
  'Shel Silverstein',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Shel' AND a.`lastName` = 'Silverstein'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Very Hungry Caterpillar', 'Children''s Books', 1969, 5.99, 5,
  'A tiny caterpillar hatches from an egg and munches its way through a week''s worth of food, poking holes through the pages as it goes. Eric Carle''s bright collage illustrations help toddlers learn to count and name the days of the week.',
  'Eric Carle',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Eric' AND a.`lastName` = 'Carle'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Neverending Story', 'Children''s Books', 1979, 8.99, 3,
  'Lonely, bullied Bastian Balthazar Bux hides in his school''s attic with a mysterious book about Fantastica, a realm being swallowed by the Nothing. As he follows the young hero Atreyu''s quest to save it, Bastian begins to suspect the story needs him too, in this imaginative fantasy by Michael Ende.',
  'Michael Ende',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Michael' AND a.`lastName` = 'Ende'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'A People''s History of the United States', 'Top 9', 1980, 21.99, 5,
  'Howard Zinn retells American history from the perspective of those often left out of textbooks, including Native Americans, enslaved people, workers, women and immigrants. Beginning with Columbus, this provocative account challenges readers to reconsider familiar events and who benefits from the way they are remembered.',
  'Howard Zinn',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Howard' AND a.`lastName` = 'Zinn'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Phantom Tollbooth', 'Top 9', 1961, 8.99, 6,
  'Bored with everything, young Milo drives a toy car through a mysterious tollbooth that appears in his bedroom and enters the Lands Beyond, where he sets out with a watchdog named Tock to rescue the princesses Rhyme and Reason. Packed with puns and wordplay, Norton Juster''s fantasy celebrates curiosity and learning.',
  'Norton Juster',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Norton' AND a.`lastName` = 'Juster'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Slaughterhouse-Five', 'Top 9', 1969, 17.00, 10,
  'Billy Pilgrim, an American soldier captured during World War II, becomes unstuck in time and drifts among moments of his past, his future and the firebombing of Dresden. Kurt Vonnegut mixes dark comedy, science fiction and antiwar conviction in a novel unlike any other.',
  'Kurt Vonnegut',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Kurt' AND a.`lastName` = 'Vonnegut'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Things Fall Apart', 'Top 9', 1958, 13.00, 11,
  'Okonkwo, a proud and respected warrior in the Igbo village of Umuofia, struggles to hold onto his standing as misfortune and the arrival of British missionaries and colonial rule upend his world. Chinua Achebe''s landmark novel offers a rich portrait of precolonial Nigerian life and the upheaval that followed.',
  'Chinua Achebe',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Chinua' AND a.`lastName` = 'Achebe'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Never Let Me Go', 'Top 9', 2005, 16.00, 4,
  'Looking back on her years at Hailsham, a secluded English boarding school, Kathy recalls her friendships with Ruth and Tommy and the unsettling truths about why they were raised there. Kazuo Ishiguro''s quietly devastating novel explores memory, love and what it means to live a meaningful life.',
  'Kazuo Ishiguro',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Kazuo' AND a.`lastName` = 'Ishiguro'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Maus', 'Top 9', 1991, 35.00, 8,
  'In this groundbreaking graphic memoir, Art Spiegelman records his father Vladek''s account of surviving the Holocaust in Poland and Auschwitz, portraying Jews as mice and Nazis as cats. Interwoven with the author''s strained relationship with his father, it is a searing and deeply human work of history.',
  'Art Spiegelman',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Art' AND a.`lastName` = 'Spiegelman'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Handmaid''s Tale', 'Top 9', 1985, 15.95, 7,
  'In the Republic of Gilead, a totalitarian theocracy that has replaced the United States, a woman called Offred is forced to bear children for a powerful Commander and his wife. Margaret Atwood''s chilling novel examines power, control and the quiet acts of resistance that preserve a sense of self.',
  'Margaret Atwood',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Margaret' AND a.`lastName` = 'Atwood'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Hitchhiker''s Guide to the Galaxy', 'Top 9', 1979, 16.00, 8,
  'Moments before Earth is demolished to make way for a hyperspace bypass, ordinary Englishman Arthur Dent is whisked away by his friend Ford Prefect, who turns out to be an alien researcher for a galactic travel guide. Douglas Adams''s absurd, endlessly quotable comedy suits anyone who likes science fiction with plenty of silliness.',
  'Douglas Adams',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Douglas' AND a.`lastName` = 'Adams'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Infinite Jest', 'Top 9', 1996, 20.00, 9,
  'Set in a near-future North America, this sprawling novel moves between a Boston-area tennis academy, a halfway house for recovering addicts and the hunt for a film said to be so entertaining it is lethal. David Foster Wallace''s ambitious, endnote-laden book rewards patient readers with humor, sadness and sharp insight into addiction.',
  'David Foster Wallace',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'David Foster' AND a.`lastName` = 'Wallace'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Fire Next Time', 'Social Justice', 1963, 17.00, 3,
  'Made up of two essays, including a letter to his teenage nephew, this short book examines race in America and the role of religion in Black life. James Baldwin writes with an urgency and eloquence that still speak powerfully to readers today.',
  'James Baldwin',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'James' AND a.`lastName` = 'Baldwin'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Between the World and Me', 'Social Justice', 2015, 13.00, 5,
  'Written as a letter to his teenage son, this book reflects on what it means to live in a Black body in America, drawing on the author''s youth in Baltimore, his years at Howard University and the killing of a friend by police. Ta-Nehisi Coates''s prose is both intimate and unflinching.',
  'Ta-Nehisi Coates',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Ta-Nehisi' AND a.`lastName` = 'Coates'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The New Jim Crow', 'Social Justice', 2010, 17.00, 7,
  'Civil rights lawyer Michelle Alexander argues that mass incarceration in the United States, driven largely by the War on Drugs, functions as a system of racial control comparable to the Jim Crow laws of the past. Rigorously researched and clearly written, it has shaped national conversations about criminal justice reform.',
  'Michelle Alexander',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Michelle' AND a.`lastName` = 'Alexander'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Just Mercy', 'Social Justice', 2014, 13.00, 4,
  'Bryan Stevenson, founder of the Equal Justice Initiative, recounts his work defending the poor, the wrongly condemned and children facing life in prison, centering on Walter McMillian, a Black man sentenced to death for a murder he did not commit. Moving and ultimately hopeful, it shows how persistence can challenge deep injustice.',
  'Bryan Stevenson',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Bryan' AND a.`lastName` = 'Stevenson'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Invisible Man', 'Social Justice', 1952, 16.00, 3,
  'An unnamed Black narrator recounts his journey from a Southern college to Harlem, where he joins a political organization called the Brotherhood and finds himself repeatedly unseen by the people around him. Ralph Ellison''s inventive, often surreal novel grapples with identity, race and individuality in twentieth-century America.',
  'Ralph Ellison',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Ralph' AND a.`lastName` = 'Ellison'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'I Know Why the Caged Bird Sings', 'Social Justice', 1969, 35.00, 8,
  'Maya Angelou''s first autobiography recalls growing up in Stamps, Arkansas, and later in California, confronting racism, trauma and displacement along the way. Her lyrical, candid storytelling traces how literature and strong role models helped a young girl find her voice.',
  'Maya Angelou',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Maya' AND a.`lastName` = 'Angelou'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Silent Spring', 'Social Justice', 1962, 15.95, 9,
  'Marine biologist Rachel Carson documents the harmful effects of synthetic pesticides such as DDT on birds, fish, wildlife and human health. Written in clear, evocative prose, this landmark book helped inspire the modern environmental movement and still resonates with anyone who cares about the natural world.',
  'Rachel Carson',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Rachel' AND a.`lastName` = 'Carson'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Feminine Mystique', 'Social Justice', 1963, 16.00, 2,
  'Betty Friedan examines the widespread unhappiness of American housewives in the years after World War II, a dissatisfaction she called the problem that has no name. Her influential critique of the idea that women should find fulfillment only in domestic life helped spark the second wave of feminism.',
  'Betty Friedan',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Betty' AND a.`lastName` = 'Friedan'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Why I''m No Longer Talking to White People About Race', 'Social Justice', 2017, 20.00, 3,
  'Expanding on her widely shared blog post of the same name, British journalist Reni Eddo-Lodge explores structural racism in the United Kingdom, from overlooked Black British history to white privilege and the links between race, feminism and class. Her clear, direct analysis gives readers a vocabulary for conversations about race in Britain.',
  'Reni Eddo-Lodge',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Reni' AND a.`lastName` = 'Eddo-Lodge'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Dune', 'Fantasy', 1965, 49.95, 8,
  'On the desert planet Arrakis, the only source of the precious spice melange, young Paul Atreides and his noble family become caught in a dangerous struggle for power. Frank Herbert''s epic blends politics, religion and ecology into one of the most influential works of science fiction ever written.',
  'Frank Herbert',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Frank' AND a.`lastName` = 'Herbert'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Last Wish', 'Fantasy', 1993, 39.99, 8,
  'Linked stories introduce Geralt of Rivia, a witcher who hunts monsters for pay in a world where familiar fairy tales often take a darker turn. Andrzej Sapkowski''s wry, morally complex tales lay the groundwork for the saga that inspired the popular video games and television series.',
  'Andrzej Sapkowski',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Andrzej' AND a.`lastName` = 'Sapkowski'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Hobbit', 'Fantasy', 1937, 35.96, 8,
  'Comfortable at home in the Shire, Bilbo Baggins is swept into an adventure when the wizard Gandalf and thirteen dwarves recruit him to help reclaim their treasure from the dragon Smaug. Tolkien''s charming tale of trolls, riddles and unexpected courage is an ideal gateway to Middle-earth.',
  'J. R. R. Tolkien',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'J. R. R.' AND a.`lastName` = 'Tolkien'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Harry Potter and the Philosopher''s Stone', 'Fantasy', 1997, 55.99, 8,
  'On his eleventh birthday, orphaned Harry Potter learns that he is a wizard and leaves his unkind aunt and uncle behind to attend Hogwarts School of Witchcraft and Wizardry. Friendships, secrets and magical mysteries await in the opening book of Rowling''s beloved series.',
  'J. K. Rowling',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'J. K.' AND a.`lastName` = 'Rowling'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Twilight', 'Fantasy', 2005, 45.00, 8,
  'After moving to the rainy town of Forks, Washington, teenager Bella Swan is drawn to Edward Cullen, a mysterious classmate who turns out to be a vampire. Stephenie Meyer''s romantic fantasy pairs high school drama with supernatural danger for readers who like their love stories intense.',
  'Stephenie Meyer',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Stephenie' AND a.`lastName` = 'Meyer'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'A Game of Thrones', 'Fantasy', 1996, 50.00, 8,
  'Across Westeros, a land where seasons can last for years, the noble Stark family is pulled into deadly political intrigue when Lord Eddard Stark is called south to serve the king. Martin''s sprawling, unpredictable epic of rival houses, betrayal and looming magic rewards readers who enjoy complex plots and morally gray characters.',
  'George R. R. Martin',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'George R. R.' AND a.`lastName` = 'Martin'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'Outlander', 'Fantasy', 1991, 70.00, 8,
  'Shortly after the Second World War, former combat nurse Claire Randall touches a standing stone in the Scottish Highlands and finds herself in 1743, caught up among Highland clans and a young warrior named Jamie Fraser. Diana Gabaldon''s sweeping mix of history, romance and adventure is easy to get lost in.',
  'Diana Gabaldon',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Diana' AND a.`lastName` = 'Gabaldon'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Eye of the World', 'Fantasy', 1990, 32.00, 8,
  'When monstrous Trollocs attack the quiet village of Emond''s Field, Rand al''Thor and his friends flee with Moiraine, a mysterious Aes Sedai who believes one of them is central to the fight against the Dark One. Robert Jordan''s opening volume of The Wheel of Time launches a vast, richly detailed fantasy saga.',
  'Robert Jordan',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Robert' AND a.`lastName` = 'Jordan'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;

INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)
SELECT 'The Three-Body Problem', 'Fantasy', 2008, 50.00, 8,
  'During China''s Cultural Revolution, a secret military project turns its attention to the stars, and decades later nanotech researcher Wang Miao is drawn into an investigation of scientists'' deaths and a strange virtual reality game. Cixin Liu''s ambitious novel fuses hard science, history and first contact into gripping science fiction.',
  'Cixin Liu',
  a.`id`, NOW(), NOW() FROM `Authors` a WHERE a.`firstName` = 'Cixin' AND a.`lastName` = 'Liu'
ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;
