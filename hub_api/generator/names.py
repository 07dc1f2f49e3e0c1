"""Personal names of the region's naming traditions, in Cyrillic and Latin letters."""


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """(Cyrillic, Latin) pairs from "Cyrillic Latin, Cyrillic Latin"."""
    return tuple((cyrillic, latin) for cyrillic, latin in (item.split() for item in text.split(", ")))


# Naming traditions: women's given names, men's given names, family names in the masculine form
# (each "Cyrillic Latin"), and whether the feminine family name adds "a".
NAME_GROUPS = {
    "kazakh": (
        _pairs(
            "Айгерим Aigerim, Гульнара Gulnara, Жанар Zhanar, Динара Dinara, Асель Assel, "
            "Салтанат Saltanat, Мадина Madina, Айжан Aizhan, Камила Kamila, Бибигуль Bibigul"
        ),
        _pairs(
            "Айбек Aibek, Ерлан Yerlan, Нурлан Nurlan, Асхат Askhat, Бауыржан Bauyrzhan, "
            "Даурен Dauren, Ержан Yerzhan, Марат Marat, Серик Serik, Талгат Talgat, "
            "Арман Arman, Данияр Daniyar"
        ),
        _pairs(
            "Ахметов Akhmetov, Жумабаев Zhumabayev, Сериков Serikov, Нурланов Nurlanov, "
            "Касымов Kassymov, Абенов Abenov, Тулегенов Tulegenov, Садыков Sadykov, "
            "Исмаилов Ismailov, Оспанов Ospanov, Бекмуханов Bekmukhanov, Мукашев Mukashev"
        ),
        True,
    ),
    "kyrgyz": (
        _pairs(
            "Айпери Aiperi, Чолпон Cholpon, Бермет Bermet, Нургуль Nurgul, Жылдыз Zhyldyz, "
            "Айнура Ainura, Гулзат Gulzat"
        ),
        _pairs(
            "Эрмек Ermek, Азамат Azamat, Бакыт Bakyt, Нурбек Nurbek, Улан Ulan, Темир Temir, "
            "Канат Kanat, Жоомарт Zhoomart"
        ),
        _pairs(
            "Токтогулов Toktogulov, Асанов Asanov, Осмонов Osmonov, Жээнбеков Zheenbekov, "
            "Абдыкадыров Abdykadyrov, Мамытов Mamytov, Бакиев Bakiyev, Сулайманов Sulaimanov"
        ),
        True,
    ),
    "tajik": (
        _pairs(
            "Малика Malika, Нигина Nigina, Зарина Zarina, Шахноза Shakhnoza, "
            "Мехрангез Mehrangez, Фарангис Farangis, Гулнора Gulnora"
        ),
        _pairs(
            "Фаррух Farrukh, Рустам Rustam, Бахтиёр Bakhtiyor, Шерзод Sherzod, Далер Daler, "
            "Фирдавс Firdavs, Сухроб Sukhrob, Джамшед Jamshed"
        ),
        _pairs(
            "Рахмонов Rakhmonov, Саидов Saidov, Назаров Nazarov, Шарипов Sharipov, "
            "Каримов Karimov, Холов Kholov, Юсупов Yusupov, Мирзоев Mirzoyev"
        ),
        True,
    ),
    "turkmen": (
        _pairs("Огулгерек Ogulgerek, Айна Aina, Дженнет Jennet, Марал Maral, Гульшат Gulshat, Селби Selbi"),
        _pairs(
            "Мерген Mergen, Сердар Serdar, Батыр Batyr, Довлет Dovlet, Атамурат Atamurat, "
            "Бегенч Begench, Максат Maksat"
        ),
        _pairs(
            "Атаев Atayev, Бердыев Berdyyev, Ходжаев Khodjayev, Мурадов Muradov, "
            "Овезов Ovezov, Аннаев Annayev, Чарыев Charyyev"
        ),
        True,
    ),
    "uzbek": (
        _pairs(
            "Дилноза Dilnoza, Гулчехра Gulchekhra, Нодира Nodira, Феруза Feruza, "
            "Севара Sevara, Умида Umida, Мохира Mokhira"
        ),
        _pairs(
            "Азиз Aziz, Бекзод Bekzod, Жахонгир Jakhongir, Отабек Otabek, Улугбек Ulugbek, "
            "Шухрат Shukhrat, Дилшод Dilshod, Санжар Sanjar"
        ),
        _pairs(
            "Алимов Alimov, Турсунов Tursunov, Хасанов Khasanov, Абдуллаев Abdullayev, "
            "Рахимов Rakhimov, Усманов Usmanov, Эргашев Ergashev, Норматов Normatov"
        ),
        True,
    ),
    "russian": (
        _pairs(
            "Елена Yelena, Ольга Olga, Наталья Natalya, Татьяна Tatyana, Ирина Irina, "
            "Светлана Svetlana, Анна Anna"
        ),
        _pairs(
            "Александр Aleksandr, Сергей Sergey, Дмитрий Dmitry, Андрей Andrey, Игорь Igor, "
            "Владимир Vladimir, Евгений Yevgeny"
        ),
        _pairs(
            "Иванов Ivanov, Петров Petrov, Смирнов Smirnov, Кузнецов Kuznetsov, Попов Popov, "
            "Волков Volkov, Фёдоров Fyodorov"
        ),
        True,
    ),
    "azerbaijani": (
        _pairs("Лейла Leyla, Айтен Ayten, Гюнель Gunel, Севиндж Sevinj"),
        _pairs("Эльчин Elchin, Рашад Rashad, Тофиг Tofig, Самир Samir"),
        _pairs("Алиев Aliyev, Гусейнов Huseynov, Мамедов Mammadov, Гасанов Hasanov"),
        True,
    ),
    "mongolian": (
        _pairs("Оюунчимэг Oyunchimeg, Сарангэрэл Sarangerel, Номин Nomin, Энхжаргал Enkhjargal"),
        _pairs("Батбаяр Batbayar, Ганбаатар Ganbaatar, Тэмүүлэн Temuulen, Болд Bold"),
        _pairs("Батсүх Batsukh, Дорж Dorj, Ганболд Ganbold, Цэрэн Tseren"),
        False,
    ),
    "afghan": (
        _pairs("Мариям Mariam, Фарзана Farzana, Зохра Zohra, Нилуфар Nilufar"),
        _pairs("Ахмад Ahmad, Фарид Farid, Джавид Javid, Хамид Hamid"),
        _pairs("Ахмадзай Ahmadzai, Хакими Hakimi, Рахими Rahimi, Носири Nosiri"),
        False,
    ),
}

# Country: the naming traditions of its staff and their shares.
COUNTRY_NAME_GROUPS = {
    "KZ": (("kazakh", 75), ("russian", 25)),
    "KG": (("kyrgyz", 80), ("russian", 10), ("uzbek", 10)),
    "TJ": (("tajik", 90), ("uzbek", 10)),
    "TM": (("turkmen", 95), ("russian", 5)),
    "UZ": (("uzbek", 85), ("tajik", 5), ("russian", 10)),
    "AF": (("afghan", 100),),
    "AZ": (("azerbaijani", 100),),
    "MN": (("mongolian", 100),),
    "RU": (("russian", 100),),
}
